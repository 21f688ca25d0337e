"""One console session: the emulator, the sandbox if needed, and the app on loopback.

`run_line` takes what the person typed and returns what Slack would have shown them.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web
from pydantic import SecretStr

from bot.app import build_app, build_web_app
from bot.config import DEFAULT_BOT_SCOPES, Settings, SlackMode
from bot.console import texts
from bot.emulator import Button, FakeSlack, SlackDriver, View, render_message, render_view
from bot.partner.models import Product
from bot.partner.sandbox import DEMO_MAIL_KEY, DEMO_SMS_KEY, DEMO_VOICE_KEY, Sandbox
from bot.runtime import Runtime
from bot.serve import Background, start_maintenance, start_site, stop_task
from bot.services.policy import change_policy, get_policy
from bot.services.roles import Role, Subject, SubjectKind
from bot.slack.views.reply import REFUSAL_BLOCK_ID

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
)
FIRST_REPLY_WAIT = 20.0
QUIET_AFTER = 1.2  # Slack pacing: a message and its attachment are a second apart
VISIBLE_METHODS = {
    "chat.postMessage",
    "chat.postEphemeral",
    "chat.update",
    "views.open",
    "views.push",
    "views.update",
    "views.publish",
    "files.completeUploadExternal",
}


@dataclass
class _Clickable:
    button: Button
    response_url: str | None = None
    channel_id: str | None = None
    view_id: str | None = None
    message_ts: str | None = None


@dataclass
class ConsoleSession:
    fake: FakeSlack
    driver: SlackDriver
    runtime: Runtime
    runner: web.AppRunner
    sandbox: Sandbox | None
    maintenance: Background
    user_id: str = PEOPLE[0][0]
    # What the console says about its own start (a restored or a fresh sandbox).
    notices: list[str] = field(default_factory=list)
    # The last command's replies included a refusal (for `-c`'s exit status).
    refused: bool = False
    _clickables: dict[int, _Clickable] = field(default_factory=dict)
    _next_button: int = 1
    # Calls and response_url posts already shown: anything after them (a digest or an alert
    # posted by the scheduler between two commands) is shown with the next output.
    _shown_calls: int = 0
    _shown_posts: int = 0

    @classmethod
    async def start(cls, settings: Settings) -> ConsoleSession:
        fake = FakeSlack()
        await fake.start()
        bot_token = "xoxb-console-" + secrets.token_hex(8)
        signing_secret = secrets.token_hex(16)
        # Granted what manifest.yml asks for (tests/test_manifest.py keeps the two equal).
        fake.add_team(TEAM, "Console Co", bot_token=bot_token, scopes=DEFAULT_BOT_SCOPES)
        for user_id, name, real_name, is_admin in PEOPLE:
            fake.add_user(TEAM, user_id, name, real_name=real_name, is_admin=is_admin)
        fake.add_channel(TEAM, CHANNEL, "general")
        fake.add_channel(TEAM, APPROVALS_CHANNEL, "approvals")

        update: dict[str, Any] = {
            "slack_signing_secret": SecretStr(signing_secret),
            "slack_bot_token": SecretStr(bot_token),
            "slack_client_id": None,
            "slack_client_secret": None,
            "slack_api_url": fake.api_url,
            "database_url": settings.database_url or CONSOLE_DATABASE,
        }
        sandbox = None
        notices: list[str] = []
        if not any(settings.partner_api_key(p) for p in Product):
            sandbox = Sandbox()
            notices.extend(_restore_sandbox(sandbox, using_default_db=not settings.database_url))
            await sandbox.start()
            demo = {
                Product.SMS: DEMO_SMS_KEY,
                Product.MAIL: DEMO_MAIL_KEY,
                Product.VOICE: DEMO_VOICE_KEY,
            }
            for product in Product:
                update[f"{product.value}_partner_url"] = sandbox.url(product)
                update[f"{product.value}_partner_api_key"] = SecretStr(demo[product])
        console_settings = settings.model_copy(update=update)

        # Migrated on PostgreSQL too: the console is a dev tool with no release phase.
        runtime = await Runtime.start(
            console_settings, mode=SlackMode.SINGLE_WORKSPACE, migrate=True
        )
        await _seed_approvals(runtime)
        app = build_app(runtime)
        maintenance = start_maintenance(app, runtime)
        runner = await start_site(build_web_app(app, runtime), "127.0.0.1", 0)
        port = runner.addresses[0][1]
        driver = SlackDriver(
            fake, app_url=f"http://127.0.0.1:{port}/slack/events", signing_secret=signing_secret
        )
        return cls(fake, driver, runtime, runner, sandbox, maintenance, notices=notices)

    async def close(self) -> None:
        await stop_task(self.maintenance)
        self.save_sandbox()
        await self.driver.close()
        await self.runner.cleanup()
        await self.runtime.close()
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
        self.refused = False
        try:
            return await self._run_line(line.strip())
        finally:
            self.save_sandbox()

    async def _run_line(self, line: str) -> str:
        if not line:
            return self._render_unshown()
        word, _, rest = line.partition(" ")
        if line.startswith("/"):
            command, _, text = line.partition(" ")
            return await self._observe(
                self.driver.command(
                    text, team_id=TEAM, user_id=self.user_id, channel_id=CHANNEL, command=command
                )
            )
        if word == "click":
            return await self._click(rest.strip())
        if word == "submit":
            return await self._submit(rest)
        if word == "home":
            return await self._observe(self._open_home())
        if word == "as":
            return self._with_unshown(self._become(rest.strip()))
        return self._with_unshown(texts.UNKNOWN_INPUT)

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
        clickable = self._clickables.get(int(number_text)) if number_text.isdigit() else None
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
        return await self._observe(
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
        return await self._observe(
            self.driver.submit_view(view, team_id=TEAM, user_id=self.user_id, values=values),
            view_shown=view,
        )

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

    # --- watching the emulator -----------------------------------------------------------

    def _with_unshown(self, text: str) -> str:
        return "\n\n".join(part for part in (self._render_unshown(), text) if part)

    def _render_unshown(self) -> str:
        output = self._render_new(self._shown_calls, self._shown_posts, None, None)
        self._shown_calls, self._shown_posts = len(self.fake.calls), len(self.fake.responses)
        return output

    async def _observe(self, sending: Any, view_shown: View | None = None) -> str:
        """Send, then wait for the app's answers (it works after its ack) and render them,
        after anything posted since the last output."""
        seen_calls, seen_posts = len(self.fake.calls), len(self.fake.responses)
        view_hash = view_shown.hash if view_shown else None
        await sending
        loop = asyncio.get_running_loop()
        deadline = loop.time() + FIRST_REPLY_WAIT
        quiet_since = None
        count = 0
        while loop.time() < deadline:
            now_count = self._activity(seen_calls, seen_posts, view_shown, view_hash)
            if now_count != count:
                count, quiet_since = now_count, loop.time()
            elif count and quiet_since and loop.time() - quiet_since >= QUIET_AFTER:
                break
            await asyncio.sleep(0.05)
        # Rendered in the order they happened, so that buttons are numbered top to bottom.
        earlier = self._render_new(
            self._shown_calls, self._shown_posts, None, None, end=(seen_calls, seen_posts)
        )
        answer = self._render_new(seen_calls, seen_posts, view_shown, view_hash, mark_refusals=True)
        self._shown_calls, self._shown_posts = len(self.fake.calls), len(self.fake.responses)
        if not answer:
            self.refused = True
            answer = texts.NO_REPLY
        return "\n\n".join(part for part in (earlier, answer) if part)

    def _activity(
        self, seen_calls: int, seen_posts: int, view_shown: View | None, view_hash: str | None
    ) -> int:
        calls = [c for c in self.fake.calls[seen_calls:] if c.method in VISIBLE_METHODS]
        changed = 0
        if view_shown is not None:
            current = self.fake.views.get(view_shown.id)
            if current is not None and (
                current.closed or current.hash != view_hash or current.errors
            ):
                changed = 1
        return len(calls) + len(self.fake.responses[seen_posts:]) + changed

    def _render_new(
        self,
        seen_calls: int,
        seen_posts: int,
        view_shown: View | None,
        view_hash: str | None,
        *,
        end: tuple[int, int] | None = None,
        mark_refusals: bool = False,
    ) -> str:
        """Render the calls and posts from `seen_*` up to `end` (default: all so far)."""
        calls_end, posts_end = end or (len(self.fake.calls), len(self.fake.responses))
        parts: list[str] = []
        posts = self.fake.responses[seen_posts:posts_end]
        calls = self.fake.calls[seen_calls:calls_end]
        if mark_refusals and any(_is_refusal(post.body.get("blocks")) for post in posts):
            self.refused = True
        if mark_refusals and any(
            c.method == "chat.postEphemeral" and _is_refusal(c.args.get("blocks")) for c in calls
        ):
            self.refused = True
        for post in posts:
            header = texts.REPLACED if post.body.get("replace_original") else texts.ONLY_YOU
            parts.append(
                header
                + "\n"
                + self._render_message(
                    post.body.get("text"), post.body.get("blocks"), response_url=post.url
                )
            )
        shown_views: set[str] = set()
        for call in calls:
            if call.method not in VISIBLE_METHODS or call.error:
                continue
            parts.extend(self._render_call(call.method, call.args, shown_views))
        if view_shown is not None and view_shown.id not in shown_views:
            current = self.fake.views.get(view_shown.id)
            if (
                current is not None
                and not current.closed
                and (current.hash != view_hash or current.errors)
            ):
                parts.append(self._render_view(current))
        return "\n\n".join(part for part in parts if part)

    def _render_call(self, method: str, args: dict[str, Any], shown_views: set[str]) -> list[str]:
        if method in ("chat.postMessage", "chat.update", "chat.postEphemeral"):
            channel = args.get("channel", "")
            if method == "chat.update":
                header = texts.UPDATED.format(channel=self._channel(channel))
            elif method == "chat.postEphemeral":
                header = texts.ONLY_YOU
            elif channel.startswith("D"):
                header = texts.DIRECT.format(user=self._name_of(channel[1:]))
            else:
                header = texts.IN_CHANNEL.format(channel=self._channel(channel))
            message = self._message_for(channel, args)
            return [
                header
                + "\n"
                + self._render_message(
                    args.get("text"),
                    args.get("blocks"),
                    channel_id=channel,
                    message_ts=message.ts if message else None,
                )
            ]
        if method.startswith("views."):
            if method == "views.publish":
                # Only the console user's own Home: the app may publish other people's too.
                home = self.fake.home_view(args.get("user_id", ""))
                if home is None or home.user_id != self.user_id:
                    return []
                return [texts.HOME + "\n" + self._render_view(home)]
            modals = self.fake.open_modals(self.user_id)
            if modals and modals[-1].id not in shown_views:
                shown_views.add(modals[-1].id)
                return [self._render_view(modals[-1])]
            return []
        if method == "files.completeUploadExternal":
            return [
                texts.FILE.format(title=f.title or f.filename, size=len(f.content))
                for f in self.fake.files[-1:]
            ]
        return []

    def _render_message(
        self,
        text: str | None,
        blocks: Any,
        *,
        response_url: str | None = None,
        channel_id: str | None = None,
        message_ts: str | None = None,
    ) -> str:
        rendered = render_message(
            text,
            blocks if isinstance(blocks, list) else None,
            users=self._display_name,
            first_button_number=self._next_button,
        )
        for button in rendered.buttons:
            self._clickables[button.number] = _Clickable(
                button,
                response_url=response_url,
                channel_id=channel_id or CHANNEL,
                message_ts=message_ts,
            )
        self._next_button += len(rendered.buttons)
        return rendered.text

    def _render_view(self, view: View) -> str:
        rendered = render_view(
            view.view,
            users=self._display_name,
            first_button_number=self._next_button,
            errors=view.errors,
        )
        for button in rendered.buttons:
            self._clickables[button.number] = _Clickable(button, view_id=view.id)
        self._next_button += len(rendered.buttons)
        text = rendered.text
        fields = [
            f"{block['block_id']}.{block['element']['action_id']}=…"
            for block in view.view.get("blocks", [])
            if block.get("type") == "input" and block.get("element", {}).get("action_id")
        ]
        if view.kind == "modal" and fields and view.view.get("submit"):
            text += "\n" + texts.FORM_HINT.format(fields=" ".join(fields))
        return text

    def _message_for(self, channel: str, args: dict[str, Any]) -> Any:
        ts = args.get("ts")
        if ts:
            return self.fake.find_message(channel, ts)
        messages = self.fake.messages.get(channel) or []
        return messages[-1] if messages else None

    def _channel(self, channel_id: str) -> str:
        channel = self.fake.channels.get(channel_id)
        return channel.name if channel else channel_id

    def _display_name(self, object_id: str) -> str | None:
        """People and channels by name, as Slack shows mentions of them."""
        channel = self.fake.channels.get(object_id)
        return channel.name if channel else self.fake.display_name(object_id)

    def _name_of(self, user_id: str) -> str:
        return next((name for uid, name, _, _ in PEOPLE if uid == user_id), user_id)

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


def _is_refusal(blocks: Any) -> bool:
    return isinstance(blocks, list) and any(
        isinstance(block, dict) and block.get("block_id") == REFUSAL_BLOCK_ID for block in blocks
    )


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
            await runtime.roles.grant(
                TEAM, Role.APPROVER, Subject(SubjectKind.USER, user_id), PEOPLE[0][0]
            )
