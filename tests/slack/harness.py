"""The app under test, running for real: Bolt on aiohttp on a loopback port, the Slack
emulator for Slack, the sandbox for the vendor, a real database."""

from __future__ import annotations

import asyncio
import functools
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from cryptography.fernet import Fernet
from slack_bolt.async_app import AsyncApp

from bot.app import build_app
from bot.config import Settings
from bot.runtime import Runtime
from devkit.emulator import Delivery, FakeSlack, ResponseUrlPost, SlackDriver
from devkit.sandbox import Sandbox
from devkit.stack import partner_values, running_stack, slack_values
from tests.slack.block_kit import view_violations, violations

TEAM = "T0TEST"
ADMIN = "UADMIN"
MEMBER = "UMEMBER"
CHANNEL = "C0GENERAL"
SIGNING_SECRET = "test-signing-secret-5b2c9e1f7a"
BOT_TOKEN = "xoxb-test-bot-token-3f9a1c7e"
CLIENT_SECRET = "test-client-secret-8c1d2e"
ENCRYPTION_KEY = Fernet.generate_key().decode()
# The vendor client's total timeout in tests: room for a loaded CI machine. A vendor that hangs
# is waited out once a try (4 tries for a read), so drills of a hanging vendor use the short one:
# what is under test (giving up, and what the user is told) is the same at any length.
PARTNER_TOTAL_TIMEOUT = 3.0
HANG_TIMEOUT = 0.3
AN_ORDINARY_MORNING = datetime(2026, 12, 2, 10, 5, tzinfo=ZoneInfo("Europe/Paris"))
"""When a test that depends on the hour runs (`time_machine.travel`, ticking): a Wednesday,
10:05 in Paris, which the minute or two a test takes stays in.
- The vendor sends in that hour and it is no opening. At an opening (the first open hour after
  a night, a Sunday, a holiday: 08:00) the spend detector allows the floor × the closed hours
  on top, for the queue's release, and a drain takes that much longer to show; a test started
  in the seconds before 08:00 saw that hour begin while it waited.
- The 09:00 digest before it was 24 hours after the one before, as `seed_history`'s daily
  readings assume. On the day the clocks go back, from 08:00 to 09:00, it was 25 hours, the
  reading of a day ago came after it, and "since the previous digest" was two days'."""
# A failed vendor read is tried again after a jittered wait up to 0.25 s, doubling (about 2 s
# over 4 tries): the tests check that it is tried again and what the user is told, not how
# long the jitter is.
PARTNER_RETRY_BASE_SECONDS = 0.02
MANIFEST = Path(__file__).resolve().parents[2] / "manifest.yml"


def manifest_bot_scopes() -> list[str]:
    """The bot scopes manifest.yml asks for: what Slack grants a workspace installing the app."""
    return list(_manifest_bot_scopes())


@functools.cache
def _manifest_bot_scopes() -> tuple[str, ...]:
    # Read once a run: every test's workspace is populated with them.
    return tuple(yaml.safe_load(MANIFEST.read_text())["oauth_config"]["scopes"]["bot"])


# As an OAuth grant's `scope` field says them.
MANIFEST_SCOPE = ",".join(manifest_bot_scopes())


REPLY_WAIT = 15.0
"""Seconds a test waits for a reply that should come (none waits this long when it does)."""


@dataclass
class Harness:
    fake: FakeSlack
    sandbox: Sandbox
    driver: SlackDriver
    runtime: Runtime
    root_url: str
    team_id: str = TEAM

    async def command(self, text: str, *, user: str = MEMBER, **kwargs: Any) -> Delivery:
        delivery = await self.driver.command(
            text, team_id=kwargs.pop("team_id", self.team_id), user_id=user, **kwargs
        )
        assert not delivery.late, f"the app took {delivery.elapsed:.1f}s to ack (Slack waits 3)"
        assert delivery.status == 200, delivery.body
        return delivery

    def late_acks(self) -> list[str]:
        """Requests the app answered after Slack's 3 s deadline (a failure for the user)."""
        return [
            f"{d.sent.get('command') or d.sent.get('type')} acked after {d.elapsed:.1f}s"
            for d in self.driver.late_deliveries
        ]

    async def ask(self, text: str, *, user: str = MEMBER, **kwargs: Any) -> ResponseUrlPost:
        """Run a command and return the (first) reply to its response_url. Patient (a reply
        that never comes still fails): two test workers share two cores with their own apps,
        sandboxes and databases, and a command's work after its ack can take seconds there."""
        delivery = await self.command(text, user=user, **kwargs)
        return await delivery.wait_response(timeout=REPLY_WAIT)

    def secrets(self) -> set[str]:
        return {SIGNING_SECRET, BOT_TOKEN, CLIENT_SECRET, ENCRYPTION_KEY} | self.sandbox.secrets()

    def block_kit_violations(self) -> list[str]:
        """Messages the app sent that Slack would refuse."""
        messages = [post.body.get("blocks") for post in self.fake.responses]
        messages += [
            call.args.get("blocks") for call in self.fake.calls if call.method.startswith("chat.")
        ]
        views = [
            call.args["view"]
            for call in self.fake.calls
            if call.method.startswith("views.") and isinstance(call.args.get("view"), dict)
        ]
        found = [v for blocks in messages if isinstance(blocks, list) for v in violations(blocks)]
        return found + [v for view in views for v in view_violations(view)]

    def outbound(self) -> str:
        """Everything the app sent towards Slack, as one text, to search for leaks."""
        parts = [json.dumps(call.args, default=str, ensure_ascii=False) for call in self.fake.calls]
        parts += [
            json.dumps(post.body, default=str, ensure_ascii=False) for post in self.fake.responses
        ]
        return "\n".join(parts)


async def eventually(
    read: Callable[[], Awaitable[Any]], expected: Any, within: float = 5.0
) -> None:
    """Wait until `await read()` equals `expected`: the app works after its ack."""
    deadline = asyncio.get_running_loop().time() + within
    while (value := await read()) != expected:
        assert asyncio.get_running_loop().time() < deadline, f"still {value!r}, not {expected!r}"
        await asyncio.sleep(0.02)


async def click_next_page(h: Harness, delivery: Delivery, page: ResponseUrlPost) -> ResponseUrlPost:
    """Click the Next button of `page` (a reply to `delivery`), as its reader would, and
    return the reply that follows."""
    actions = [b for b in page.body["blocks"] if b["type"] == "actions"]
    [next_button] = actions[0]["elements"]
    assert next_button["text"]["text"].startswith("Next")
    click = await h.driver.click(
        team_id=h.team_id,
        user_id=MEMBER,
        action_id=next_button["action_id"],
        value=next_button["value"],
        block_id=actions[0]["block_id"],
        response_url=delivery.response_url,
        channel_id=CHANNEL,
    )
    assert click.status == 200
    return await delivery.wait_response(count=2)


def reply_text(post: ResponseUrlPost) -> str:
    """The reply's fallback text plus every text in its blocks."""
    return (
        post.body.get("text", "")
        + "\n"
        + json.dumps(post.body.get("blocks", []), ensure_ascii=False)
    )


def settings_for(
    fake: FakeSlack,
    sandbox: Sandbox,
    database_url: str,
    *,
    many_workspaces: bool = False,
    environment_keys: bool = True,
    **overrides: Any,
) -> Settings:
    values: dict[str, Any] = {
        **slack_values(fake, signing_secret=SIGNING_SECRET),
        **partner_values(sandbox, demo_keys=environment_keys and not many_workspaces),
        "database_url": database_url,
        "bot_encryption_key": ENCRYPTION_KEY,
        "partner_total_timeout": PARTNER_TOTAL_TIMEOUT,
        "partner_retry_base_seconds": PARTNER_RETRY_BASE_SECONDS,
    }
    if many_workspaces:
        values |= {"slack_client_id": "1111.2222", "slack_client_secret": CLIENT_SECRET}
    else:
        values["slack_bot_token"] = BOT_TOKEN
    values |= overrides
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


async def app_built_with(settings: Settings) -> AsyncApp:
    """The Bolt app as `serve` builds it on `settings`, its runtime closed again: for tests
    that look at how it is put together, not at what it answers."""
    runtime = await Runtime.start(settings, migrate=False)
    try:
        return build_app(runtime)
    finally:
        await runtime.close()


def populate(fake: FakeSlack, team_id: str = TEAM, bot_token: str = BOT_TOKEN) -> None:
    fake.add_team(team_id, "Test Co", bot_token=bot_token, scopes=manifest_bot_scopes())
    fake.add_user(team_id, ADMIN, "ada", real_name="Ada Admin", is_admin=True)
    fake.add_user(team_id, MEMBER, "max", real_name="Max Member")
    fake.add_channel(team_id, CHANNEL, "general")


@asynccontextmanager
async def running_app(
    settings: Settings, fake: FakeSlack, sandbox: Sandbox, *, background: bool = False
) -> AsyncIterator[Harness]:
    # The scheduler and maintenance run only where a test drives them (`Scheduler.run_once`,
    # `Maintenance.run_once`) or asks for the app's own rounds (`background`); the app
    # processes of the restart drills run theirs, as in production.
    async with running_stack(
        settings,
        fake,
        sandbox,
        signing_secret=SIGNING_SECRET,
        migrate=False,
        scheduler=False,
        background=background,
    ) as stack:
        yield Harness(fake, sandbox, stack.driver, stack.runtime, stack.root_url)
