"""One console session: the emulator, the sandbox if needed, and the app on loopback.

`run_line` takes what the person typed and returns what Slack would have shown them.
"""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from bot.config import DEFAULT_BOT_SCOPES, Settings, SlackMode
from bot.partner.models import Product
from bot.runtime import Runtime
from bot.services import audit
from bot.services.policy import change_policy, get_policy
from bot.services.roles import Role, Subject, SubjectKind
from bot.slack.clients import WorkspaceClients
from bot.slack.scheduler import Scheduler
from devkit.console import texts
from devkit.console.screen import Screen
from devkit.emulator import FakeSlack, SlackDriver
from devkit.sandbox import Sandbox
from devkit.stack import Stack, partner_values, slack_values

TEAM = "T0CONSOLE"
CHANNEL = "C0CONSOLE"
APPROVALS_CHANNEL = "C0APPROVALS"
DEMO_APPROVERS = ("U0ALICE", "U0CAROL")
CONSOLE_DATABASE_FILE = "partner_ops_console.db"
CONSOLE_DATABASE = f"sqlite+aiosqlite:///{CONSOLE_DATABASE_FILE}"
# The sandbox's accounts, kept beside the console's database so that a restart finds the
# subaccounts and balances the database's requests and audit refer to.
SANDBOX_STATE_FILE = "partner_ops_console.sandbox.json"
# (user id, name, real name, is_admin)
PEOPLE = (
    ("U0ALICE", "alice", "Alice Martin (workspace admin)", True),
    ("U0BOB", "bob", "Bob Durand (finance)", False),
    ("U0CAROL", "carol", "Carol Petit (ops)", False),
    ("U0DOMINIQUE", "dominique", "Dominique Lefèvre (comptabilité)", False),
)
LOCALES = {"U0DOMINIQUE": "fr-FR"}
"""Slack locales other than en-US: `as dominique` shows what a French-speaking user sees."""


@dataclass
class ConsoleSession:
    stack: Stack
    # What the console says about its own start (a restored or a fresh sandbox).
    notices: list[str] = field(default_factory=list)
    screen: Screen = field(init=False)

    def __post_init__(self) -> None:
        names = {user_id: name for user_id, name, _, _ in PEOPLE}
        inflight = self.stack.runtime.inflight
        self.screen = Screen(
            self.stack.fake, CHANNEL, names, user_id=PEOPLE[0][0], busy=lambda: len(inflight)
        )

    @property
    def user_id(self) -> str:
        """Who the person is playing now (`as bob`)."""
        return self.screen.user_id

    @user_id.setter
    def user_id(self, user_id: str) -> None:
        self.screen.user_id = user_id

    @property
    def refused(self) -> bool:
        """The last command's replies included a refusal (for `-c`'s exit status)."""
        return self.screen.refused

    @property
    def fake(self) -> FakeSlack:
        return self.stack.fake

    @property
    def sandbox(self) -> Sandbox | None:
        return self.stack.sandbox

    @property
    def driver(self) -> SlackDriver:
        return self.stack.driver

    @property
    def runtime(self) -> Runtime:
        return self.stack.runtime

    @classmethod
    async def start(cls, settings: Settings, *, scheduler: bool | None = None) -> ConsoleSession:
        """`scheduler` False: no digests, readings or alerts in the background (a one-shot
        `-c` shows only its own answer; `round` still runs the alert check on demand)."""
        fake = FakeSlack()
        await fake.start()
        bot_token = "xoxb-console-" + secrets.token_hex(8)
        signing_secret = secrets.token_hex(16)
        # Granted what manifest.yml asks for (tests/test_manifest.py keeps the two equal).
        fake.add_team(TEAM, "Console Co", bot_token=bot_token, scopes=DEFAULT_BOT_SCOPES)
        for user_id, name, real_name, is_admin in PEOPLE:
            fake.add_user(
                TEAM,
                user_id,
                name,
                real_name=real_name,
                is_admin=is_admin,
                locale=LOCALES.get(user_id, "en-US"),
            )
        fake.add_channel(TEAM, CHANNEL, "general")
        fake.add_channel(TEAM, APPROVALS_CHANNEL, "approvals")

        update: dict[str, Any] = {
            **slack_values(fake, signing_secret=signing_secret),
            "slack_bot_token": SecretStr(bot_token),
            "slack_client_id": None,
            "slack_client_secret": None,
            "database_url": settings.database_url or CONSOLE_DATABASE,
        }
        sandbox = None
        notices: list[str] = []
        try:
            if not any(settings.partner_api_key(p) for p in Product):
                sandbox = Sandbox()
                notices.extend(
                    _restore_sandbox(sandbox, using_default_db=not settings.database_url)
                )
                await sandbox.start()
                update |= partner_values(sandbox)
            # Migrated on PostgreSQL too: the console is a dev tool with no release phase.
            stack = await Stack.start(
                settings.model_copy(update=update),
                fake,
                sandbox,
                signing_secret=signing_secret,
                mode=SlackMode.SINGLE_WORKSPACE,
                migrate=True,
                scheduler=scheduler,
                prepare=_seed_approvals,
            )
        except BaseException:
            if sandbox is not None:
                await sandbox.stop()
            await fake.stop()
            raise
        return cls(stack, notices=notices)

    async def close(self) -> None:
        try:
            await self.stack.close()
        finally:
            self.save_sandbox()
            if self.sandbox is not None:
                await self.sandbox.stop()
            await self.fake.stop()

    # --- what the person sees ------------------------------------------------------------

    def banner(self) -> str:
        return texts.BANNER.format(
            team="Console Co",
            channel="general",
            user=self._person(self.user_id),
            partner=texts.PARTNER_SANDBOX if self.sandbox else texts.PARTNER_REAL,
            users=", ".join(name for _, name, _, _ in PEOPLE),
        )

    def prompt(self) -> str:
        return texts.PROMPT.format(user=self._name(self.user_id))

    async def run_line(self, line: str) -> str:
        """What the person sees after typing `line`: first anything posted since the last
        output (scheduled digests and alerts), then the answer. An empty line shows only
        what was posted meanwhile."""
        self.screen.refused = False
        try:
            return await self._run_line(line.strip())
        finally:
            self.save_sandbox()

    async def _run_line(self, line: str) -> str:
        if not line:
            return self.screen.render_unshown()
        word, _, rest = line.partition(" ")
        if line.startswith("/"):
            command, _, text = line.partition(" ")
            return await self.screen.observe(
                self.driver.command(
                    text, team_id=TEAM, user_id=self.user_id, channel_id=CHANNEL, command=command
                )
            )
        if word == "click":
            return await self._click(rest.strip())
        if word == "submit":
            return await self._submit(rest)
        if word == "home":
            return await self.screen.observe(self._open_home())
        if word == "as":
            return self.screen.with_unshown(self._become(rest.strip()))
        if line == "round":
            return self.screen.with_unshown(await self._alert_round())
        self.screen.refused = True  # `-c hello` ran nothing: say so by the exit code
        return self.screen.with_unshown(texts.UNKNOWN_INPUT)

    def save_sandbox(self) -> None:
        """Write the sandbox's accounts beside the database (atomically: a console killed
        mid-write keeps the previous state)."""
        if self.sandbox is None:
            return
        path = Path(SANDBOX_STATE_FILE)
        partial = path.with_suffix(".tmp")
        partial.write_text(self.sandbox.export_state(), encoding="utf-8")
        os.replace(partial, path)

    # --- actions -------------------------------------------------------------------------

    async def _click(self, number_text: str) -> str:
        clickable = self.screen.clickables.get(int(number_text)) if number_text.isdigit() else None
        if clickable is None:
            return texts.NO_BUTTON.format(number=number_text or "?")
        button = clickable.button
        where: dict[str, Any]
        if clickable.view_id is not None:
            where = {"view": self.fake.views[clickable.view_id]}
        else:
            message = None
            if clickable.message_ts and clickable.channel_id:
                message = self.fake.find_message(clickable.channel_id, clickable.message_ts)
            where = {
                "message": message,
                "channel_id": clickable.channel_id or CHANNEL,
                "response_url": clickable.response_url,
            }
        return await self.screen.observe(
            self.driver.click(
                team_id=TEAM,
                user_id=self.user_id,
                action_id=button.action_id,
                value=button.value,
                block_id=button.block_id,
                **where,
            )
        )

    async def _submit(self, rest: str) -> str:
        forms = [m for m in self.fake.open_modals(self.user_id) if m.view.get("submit")]
        if not forms:
            return texts.NO_FORM
        view = forms[-1]
        parsed = parse_form_fields(rest)
        if parsed is None:
            return texts.BAD_FIELD
        values: dict[str, dict[str, Any]] = {}
        for (block_id, action_id), value in parsed.items():
            values.setdefault(block_id, {})[action_id] = value
        known = {
            (block.get("block_id"), block.get("element", {}).get("action_id"))
            for block in view.view.get("blocks", [])
            if block.get("type") == "input"
        }
        unknown = [
            f"{b}.{a}" for b, actions in values.items() for a in actions if (b, a) not in known
        ]
        if unknown:
            return texts.UNKNOWN_FIELD.format(fields=", ".join(unknown))
        return await self.screen.observe(
            self.driver.submit_view(view, team_id=TEAM, user_id=self.user_id, values=values),
            view_shown=view,
        )

    async def _alert_round(self) -> str:
        """The scheduler's hourly reading and alert check, now (not waiting for the hour, and
        not counted as the hour's: the hourly round still runs)."""
        clients = WorkspaceClients(self.runtime, self.stack.app.installation_store)
        fired = await Scheduler(self.runtime, clients).run_alert_round()
        return texts.ROUND_DONE.format(count=fired)

    async def _open_home(self) -> Any:
        """What Slack sends when the person opens the app's Home tab."""
        event = {"type": "app_home_opened", "user": self.user_id, "channel": "D1", "tab": "home"}
        return await self.driver.event(event, team_id=TEAM)

    def _become(self, name: str) -> str:
        for user_id, known, _, _ in PEOPLE:
            if known == name.lower():
                self.user_id = user_id
                return texts.NOW.format(user=self._person(user_id))
        return texts.UNKNOWN_USER.format(name=name, users=", ".join(n for _, n, _, _ in PEOPLE))

    def _name(self, user_id: str) -> str:
        return next(name for uid, name, _, _ in PEOPLE if uid == user_id)

    def _person(self, user_id: str) -> str:
        return next(f"{name} — {real}" for uid, name, real, _ in PEOPLE if uid == user_id)


_FIELD_START = re.compile(r"(?:^|\s)([\w-]+\.[\w-]+)=")


def parse_form_fields(text: str) -> dict[tuple[str, str], str] | None:
    """`block.action=value …` → {(block, action): value}. A value runs until the next
    `name.name=`, so it may hold spaces (`reason.reason=top-up for May`); surrounding quotes
    are dropped. None when the text does not start with a field."""
    text = text.strip()
    starts = list(_FIELD_START.finditer(text))
    if not text or not starts or starts[0].start() != 0:
        return None
    fields: dict[tuple[str, str], str] = {}
    for index, match in enumerate(starts):
        end = starts[index + 1].start() if index + 1 < len(starts) else len(text)
        value = text[match.end() : end].strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        block_id, _, action_id = match.group(1).partition(".")
        fields[(block_id, action_id)] = value
    return fields


def _restore_sandbox(sandbox: Sandbox, *, using_default_db: bool) -> list[str]:
    """Load the sandbox state a previous run saved, so balances and subaccounts match what the
    database remembers. With the console's own database, the two start fresh together when
    either is missing or unreadable, and the console says so."""
    state = Path(SANDBOX_STATE_FILE)
    database = Path(CONSOLE_DATABASE_FILE)
    if state.exists() and (database.exists() or not using_default_db):
        try:
            sandbox.load_state(state.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            pass
        else:
            return [texts.SANDBOX_RESTORED.format(file=SANDBOX_STATE_FILE)]
    if using_default_db and database.exists():
        database.unlink()
        state.unlink(missing_ok=True)
        return [texts.STARTED_FRESH.format(database=CONSOLE_DATABASE_FILE)]
    state.unlink(missing_ok=True)
    return []


async def _seed_approvals(runtime: Runtime) -> None:
    """A first console run gets an approvals channel and two approvers, so a full approval
    can be shown at once (request as bob, approve as alice). Later runs keep what was set."""
    policy = await get_policy(runtime.database, TEAM)
    if policy.approvals_channel_id is None:
        await change_policy(
            runtime.database, TEAM, PEOPLE[0][0], approvals_channel_id=APPROVALS_CHANNEL
        )
    if not await runtime.roles.has_approvers(TEAM):
        for user_id in DEMO_APPROVERS:
            # Seeded by the console, not by alice: appointed by her a moment ago, they would
            # not count for her own requests and changes (bot.services.four_eyes).
            await runtime.roles.grant(
                TEAM, Role.APPROVER, Subject(SubjectKind.USER, user_id), audit.SYSTEM
            )
