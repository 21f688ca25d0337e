"""`bench approvals`: many credit requests, each card's Approve clicked 5 times across two
processes on one PostgreSQL database; the vendor must see exactly one move per request.

Two `python -m bot serve` processes share the database; this process plays Slack (the
emulator, signed HTTP) and the vendor (the sandbox, whose journal counts the moves).
"""

from __future__ import annotations

import argparse
import asyncio
import time
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select

from devkit.bench.ack import CHANNEL, TEAM, USER, app_env
from devkit.bench.common import (
    BOT_TOKEN,
    SIGNING_SECRET,
    Process,
    database_kinds,
    machine,
    memory_mb,
    ms,
    percentile,
    scratch_database,
    table,
    workdir,
)
from devkit.emulator import Delivery, FakeSlack, SlackDriver
from devkit.sandbox import DEMO_SMS_KEY, Sandbox

APPROVALS = "C0BENCHAPPROVALS"
APPROVERS = ("UBENCHAPPR1", "UBENCHAPPR2", "UBENCHAPPR3")
ADMIN = "UBENCHADMIN"
MOVE = "/subaccount/credit/add"
CLICKS_PER_CARD = 5


@dataclass
class Sizes:
    requests: int
    at_a_time: int
    deadline: float
    """Seconds to wait for every card, and later for every move."""


FULL = Sizes(requests=1000, at_a_time=50, deadline=300)
QUICK = Sizes(requests=200, at_a_time=50, deadline=120)
TINY = Sizes(requests=4, at_a_time=4, deadline=30)


@dataclass
class Result:
    kind: str
    requests: int = 0
    request_seconds: float = float("nan")
    request_acks: list[float] = field(default_factory=list)
    clicks: int = 0
    click_seconds: float = float("nan")
    click_acks: list[float] = field(default_factory=list)
    moves_seconds: float = float("nan")
    """From the first click to the last request done (succeeded or failed)."""
    succeeded: int = 0
    moves: int = 0
    errors: int = 0
    app_errors: int = 0
    """Errors the app processes logged (a clicker then sees "unexpected error")."""
    peak_rss: list[float] = field(default_factory=list)

    def row(self) -> list[str]:
        return [
            self.kind,
            str(self.requests),
            f"{self.requests / self.request_seconds:.1f}",
            ms(percentile(self.request_acks, 0.99)),
            str(self.clicks),
            f"{self.clicks / self.click_seconds:.1f}",
            ms(percentile(self.click_acks, 0.5)),
            ms(percentile(self.click_acks, 0.99)),
            f"{self.moves_seconds:.1f}",
            str(self.succeeded),
            str(self.moves),
            str(self.errors),
            str(self.app_errors),
            " / ".join(f"{mb:.0f}" for mb in self.peak_rss),
        ]


HEADERS = [
    "database",
    "requests",
    "requests/s",
    "request ack p99 ms",
    "clicks",
    "clicks/s",
    "click ack p50 ms",
    "click ack p99 ms",
    "all moved s",
    "succeeded",
    "moves in journal",
    "errors",
    "app errors logged",
    "peak RSS MB (each process)",
]


async def prepare(database_url: str, more_approvers: tuple[str, ...] = ()) -> None:
    """Three approvers (and `more_approvers`) and an approvals channel, as an admin would set
    them up."""
    from bot.db.session import Database
    from bot.services.policy import change_policy
    from bot.services.roles import Role, Roles, Subject, SubjectKind

    database = Database(database_url)
    try:
        roles = Roles(database)
        for user in APPROVERS + more_approvers:
            await roles.grant(TEAM, Role.APPROVER, Subject(SubjectKind.USER, user), ADMIN)
        await change_policy(database, TEAM, ADMIN, approvals_channel_id=APPROVALS)
    finally:
        await database.dispose()


async def statuses(database_url: str) -> dict[str, int]:
    from bot.db.models import CreditRequest
    from bot.db.session import Database

    database = Database(database_url)
    try:
        async with database.session() as session:
            rows = await session.execute(
                select(CreditRequest.status, func.count()).group_by(CreditRequest.status)
            )
            return {str(status): count for status, count in rows.all()}
    finally:
        await database.dispose()


def add_approvals_workspace(fake: FakeSlack) -> None:
    """The bench workspace in the emulator: a requester, an admin, three approvers, a general
    channel and the approvals channel (the approvals and soak benches share it)."""
    fake.add_team(TEAM, "Bench Co", bot_token=BOT_TOKEN)
    fake.add_user(TEAM, USER, "bench", real_name="Bench User")
    fake.add_user(TEAM, ADMIN, "boss", real_name="Bench Admin", is_admin=True)
    for n, user in enumerate(APPROVERS, 1):
        fake.add_user(TEAM, user, f"approver{n}", real_name=f"Approver {n}")
    fake.add_channel(TEAM, CHANNEL, "general")
    fake.add_channel(TEAM, APPROVALS, "approvals")


def failed(delivery: Delivery | None) -> bool:
    return delivery is None or delivery.status != 200 or delivery.late


async def run(sizes: Sizes, kind: str) -> Result:
    result = Result(kind)
    async with workdir() as directory, Sandbox() as sandbox, FakeSlack() as fake:
        add_approvals_workspace(fake)
        account = sandbox.accounts[DEMO_SMS_KEY]
        account.balance = Decimal("100000000")
        emails = [sub.email for sub in account.subaccounts]
        async with scratch_database(kind, directory) as database:
            await prepare(database)
            # Maintenance every 2 s and a 10 s lease: a request whose execution did not start
            # or finish after its approval (the process gave up on it) is resumed within the
            # run, as production would within its default 30 s / 120 s.
            env = app_env(fake, sandbox, database) | {
                "MAINTENANCE_INTERVAL_SECONDS": "2",
                "EXECUTION_LEASE_SECONDS": "10",
            }
            apps = [Process(f"web-{n}", ["-m", "bot", "serve"], env, directory) for n in (1, 2)]
            try:
                await asyncio.gather(*(app.start() for app in apps))
                await _drive(sizes, result, apps, fake, sandbox, emails, database)
                result.peak_rss = [memory_mb(app.pid)[1] for app in apps]
                result.app_errors = sum(app.log().count('"level": "ERROR"') for app in apps)
            finally:
                await asyncio.gather(*(app.stop() for app in apps))
    return result


async def _drive(
    sizes: Sizes,
    result: Result,
    apps: list[Process],
    fake: FakeSlack,
    sandbox: Sandbox,
    emails: list[str],
    database: str,
) -> None:
    drivers = [
        SlackDriver(
            fake,
            app_url=f"{app.url}/slack/events",
            signing_secret=SIGNING_SECRET,
            max_connections=0,
        )
        for app in apps
    ]
    try:
        slots = asyncio.Semaphore(sizes.at_a_time)

        async def ask(n: int) -> None:
            # A different amount each time: the same amount for the same subaccount moments
            # later would be asked to be confirmed (the app suspects a double submission).
            amount = f"{1 + n // 100}.{n % 100:02d}"
            email = emails[n % len(emails)]
            async with slots:
                try:
                    delivery = await drivers[n % 2].command(
                        f"credit add {email} {amount}", team_id=TEAM, user_id=USER
                    )
                    post = await delivery.wait_response(timeout=sizes.deadline)
                except Exception:  # a refused connection or no reply: an error, not a crash
                    result.errors += 1
                    return
            result.request_acks.append(delivery.elapsed)
            if failed(delivery) or "sent to" not in str(post.body.get("text", "")):
                result.errors += 1

        started = time.monotonic()
        await asyncio.gather(*(ask(n) for n in range(sizes.requests)))
        result.request_seconds = time.monotonic() - started
        result.requests = sizes.requests

        def cards() -> list:
            return [
                m
                for m in fake.messages.get(APPROVALS, [])
                if any(
                    e.get("action_id") == "request_approve"
                    for b in m.blocks
                    if b["type"] == "actions"
                    for e in b["elements"]
                )
            ]

        try:
            await fake.wait_for(
                lambda: len(cards()) >= sizes.requests - result.errors, timeout=sizes.deadline
            )
        except AssertionError:
            result.errors += 1
        shown = cards()

        async def click(n: int, card) -> None:
            async with slots:
                try:
                    delivery = await drivers[n % 2].click(
                        team_id=TEAM,
                        user_id=APPROVERS[n % len(APPROVERS)],
                        action_id="request_approve",
                        message=card,
                        channel_id=APPROVALS,
                    )
                except Exception:
                    result.errors += 1
                    return
            result.click_acks.append(delivery.elapsed)
            if failed(delivery):
                result.errors += 1

        # Card after card, each clicked 5 times (alternating processes; Slack never redelivers a
        # click, so five clicks are five deliveries, none of them claimed).
        clicks = [(c * CLICKS_PER_CARD + n, card) for c, card in enumerate(shown)
                  for n in range(CLICKS_PER_CARD)]  # fmt: skip
        started = time.monotonic()
        await asyncio.gather(*(click(n, card) for n, card in clicks))
        result.click_seconds = time.monotonic() - started
        result.clicks = len(clicks)

        # The barrier: every request reached an end state in the database; then count moves.
        final = {"succeeded", "failed", "unknown", "rejected", "expired", "cancelled"}
        counts: dict[str, int] = {}
        for _ in range(int(sizes.deadline / 0.2)):
            counts = await statuses(database)
            if sum(counts.get(s, 0) for s in final) >= len(shown):
                break
            await asyncio.sleep(0.2)
        result.moves_seconds = time.monotonic() - started
        result.succeeded = counts.get("succeeded", 0)
        result.moves = len(sandbox.calls(endpoint=MOVE))
        if result.succeeded != sizes.requests or result.moves != sizes.requests:
            result.errors += 1
    finally:
        for driver in drivers:
            await driver.close()


def report(sizes: Sizes, results: list[Result], note: str = "") -> str:
    return "\n".join(
        [
            "## bench approvals",
            "",
            f"Machine: {machine()}",
            f"{sizes.requests} credit requests (`/partner credit add`, {sizes.at_a_time} at a "
            f"time, alternating between two `serve` processes on one database), then each "
            f"card's Approve clicked {CLICKS_PER_CARD} times ({sizes.at_a_time} clicks at a time,"
            " alternating processes). No vendor latency. "
            f"Expected: {sizes.requests} moves in the vendor's journal." + note,
            "",
            table(HEADERS, [r.row() for r in results]),
            "",
        ]
    )


def main(args: argparse.Namespace) -> str:
    sizes = TINY if args.tiny else QUICK if args.quick else FULL
    if "postgresql" in database_kinds():
        return report(sizes, [asyncio.run(run(sizes, "postgresql"))])
    if args.tiny:
        # The suite's smoke test has no PostgreSQL server: prove the bench runs on SQLite.
        note = " DATABASE_URL is not PostgreSQL: ran on SQLite (--tiny only)."
        return report(sizes, [asyncio.run(run(sizes, "sqlite"))], note)
    return (
        "## bench approvals\n\nSkipped: this bench runs on PostgreSQL only (two processes "
        "writing one database is what it measures). Set DATABASE_URL=postgresql://… and rerun."
    )
