"""`bench soak`: a long mix of commands and clicks against one `serve` process, watching what
it holds: memory (RSS), asyncio tasks, open files and sockets, after a warm-up and at the end.

The mix, over and over (each line one command or click, as Slack would send it): balance;
subaccounts; its Next page; a credit request; Approve on its card; Approve again; another
credit request; Reject on its card and the reason submitted in the modal; the requester's own
requests; balance again.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import aiohttp

from devkit.bench.ack import CHANNEL, TEAM, USER, app_env
from devkit.bench.approvals import (
    APPROVALS,
    APPROVERS,
    add_approvals_workspace,
    prepare,
    statuses,
)
from devkit.bench.common import (
    SIGNING_SECRET,
    Process,
    database_kinds,
    machine,
    memory_mb,
    open_files,
    scratch_database,
    table,
    workdir,
)
from devkit.emulator import Delivery, FakeSlack, Message, SlackDriver
from devkit.sandbox import DEMO_SMS_KEY, Sandbox

UNIT = 11
"""Commands, clicks and modal submissions in one pass of the mix."""
FINAL = {"succeeded", "failed", "unknown", "rejected", "expired", "cancelled"}
GROWTH_LIMIT_MB = 20


@dataclass
class Sizes:
    operations: int
    warm_up: int
    workers: int
    idle: float = 20
    """Seconds idle before the last reading: aiohttp closes keep-alive connections idle 15 s."""


FULL = Sizes(operations=20_000, warm_up=2_000, workers=10)
QUICK = Sizes(operations=2_200, warm_up=440, workers=10)
TINY = Sizes(operations=44, warm_up=22, workers=2, idle=0.5)


@dataclass
class Reading:
    label: str
    done: int
    rss: float
    peak_rss: float
    tasks: int
    files: int
    sockets: int

    def row(self) -> list[str]:
        return [
            self.label,
            str(self.done),
            f"{self.rss:.1f}",
            f"{self.peak_rss:.1f}",
            str(self.tasks),
            str(self.files),
            str(self.sockets),
        ]


@dataclass
class Soak:
    kind: str
    done: int = 0
    errors: int = 0
    seconds: float = 0.0
    readings: list[Reading] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)


def sockets_of(pid: int) -> int:
    count = 0
    try:
        for name in os.listdir(f"/proc/{pid}/fd"):
            try:
                if os.readlink(f"/proc/{pid}/fd/{name}").startswith("socket:"):
                    count += 1
            except OSError:
                continue  # closed while we looked
    except OSError:
        return -1
    return count


async def tasks_of(app: Process) -> int:
    async with aiohttp.ClientSession() as session, session.get(f"{app.url}/healthz") as got:
        body: dict[str, Any] = await got.json()
    return int(body.get("tasks", -1))


class Mix:
    """The commands and clicks of the soak, sent by `workers` at once."""

    def __init__(self, driver: SlackDriver, fake: FakeSlack, emails: list[str]) -> None:
        self.driver = driver
        self.fake = fake
        self.emails = emails
        self.errors = 0
        self.done = 0
        self._amounts = iter(range(10**9))
        self._seen_views: set[str] = set()

    def _check(self, delivery: Delivery) -> None:
        if delivery.status != 200 or delivery.late:
            self.errors += 1

    async def command(self, text: str, *, wanted: str = "") -> Delivery:
        delivery = await self.driver.command(text, team_id=TEAM, user_id=USER)
        self.done += 1
        self._check(delivery)
        post = await delivery.wait_response(timeout=30)
        if wanted not in str(post.body.get("text", "")) + str(post.body.get("blocks", "")):
            self.errors += 1
        return delivery

    async def request(self) -> Message | None:
        n = next(self._amounts)
        amount = f"{1 + n // 100}.{n % 100:02d}"  # never the same request twice
        delivery = await self.command(
            f"credit add {self.emails[n % len(self.emails)]} {amount}", wanted="sent to"
        )
        post = await delivery.wait_response(timeout=30)
        text = str(post.body.get("text", ""))
        if "#" not in text:
            return None
        number = text.split("#", 1)[1].split()[0].rstrip(".,")
        try:
            await self.fake.wait_for(lambda: self._card(number) is not None, timeout=30)
        except AssertionError:
            self.errors += 1
            return None
        return self._card(number)

    def _card(self, number: str) -> Message | None:
        for message in reversed(self.fake.messages.get(APPROVALS, [])):
            for block in message.blocks:
                for element in block.get("elements", []) if block["type"] == "actions" else []:
                    if element.get("action_id") == "request_approve" and (
                        element.get("value") == number
                    ):
                        return message
        return None

    async def decide(self, card: Message | None, action_id: str, approver: str) -> None:
        if card is None:
            self.errors += 1
            self.done += 1
            return
        delivery = await self.driver.click(
            team_id=TEAM, user_id=approver, action_id=action_id, message=card,
            channel_id=APPROVALS,
        )  # fmt: skip
        self.done += 1
        self._check(delivery)

    async def reject(self, card: Message | None, rejecter: str) -> None:
        """Reject opens a modal asking why; the reason is then submitted."""
        await self.decide(card, "request_reject", rejecter)
        if card is None:
            return

        def modal() -> Any:
            for view in self.fake.open_modals(rejecter):
                if view.id not in self._seen_views and any(
                    block.get("block_id") == "reason" for block in view.blocks
                ):
                    return view
            return None

        view = await self.fake.wait_for(modal, timeout=30)
        self._seen_views.add(view.id)
        delivery = await self.driver.submit_view(
            view, team_id=TEAM, user_id=rejecter, values={"reason": {"reason": "soak"}}
        )
        self.done += 1
        self._check(delivery)

    async def page(self, listing: Delivery) -> None:
        post = await listing.wait_response(timeout=30)
        actions = [b for b in post.body.get("blocks", []) if b["type"] == "actions"]
        if not actions:
            self.errors += 1
            self.done += 1
            return
        button = actions[0]["elements"][-1]
        delivery = await self.driver.click(
            team_id=TEAM,
            user_id=USER,
            action_id=button["action_id"],
            value=button["value"],
            block_id=actions[0]["block_id"],
            response_url=listing.response_url,
            channel_id=CHANNEL,
        )
        self.done += 1
        self._check(delivery)
        await listing.wait_response(timeout=30, count=2)

    async def unit(self, n: int, rejecter: str) -> None:
        await self.command("balance", wanted="")
        listing = await self.command("subaccounts", wanted="subaccounts")
        await self.page(listing)
        card = await self.request()
        await self.decide(card, "request_approve", APPROVERS[n % 3])
        await self.decide(card, "request_approve", APPROVERS[(n + 1) % 3])
        card = await self.request()
        await self.reject(card, rejecter)
        await self.command("requests", wanted="")
        await self.command("balance", wanted="")

    async def run(self, operations: int, workers: int) -> None:
        units = iter(range(operations // UNIT))

        async def worker(rejecter: str) -> None:
            for n in units:
                try:
                    await self.unit(n, rejecter)
                except Exception:  # a refused connection or a missing reply: count, go on
                    self.errors += 1

        await asyncio.gather(*(worker(rejecter) for rejecter in rejecters(workers)))


def rejecters(workers: int) -> tuple[str, ...]:
    """One approver per simulated user for rejections: their modals are theirs alone."""
    return tuple(f"UBENCHREJ{n}" for n in range(workers))


async def settle(app: Process, database: str) -> dict[str, int]:
    """Wait until every request has ended and the task count holds still: what is left then
    is what the process keeps."""
    counts: dict[str, int] = {}
    for _ in range(300):
        counts = await statuses(database)
        if sum(c for s, c in counts.items() if s not in FINAL) == 0:
            break
        await asyncio.sleep(0.1)
    previous = -1
    for _ in range(50):
        now = await tasks_of(app)
        if now == previous:
            break
        previous = now
        await asyncio.sleep(0.2)
    return counts


async def reading(label: str, done: int, app: Process) -> Reading:
    rss, peak = memory_mb(app.pid)
    tasks = await tasks_of(app)
    return Reading(label, done, rss, peak, tasks, open_files(app.pid), sockets_of(app.pid))


async def run(sizes: Sizes, kind: str) -> Soak:
    soak = Soak(kind)
    async with workdir() as directory, Sandbox() as sandbox, FakeSlack() as fake:
        add_approvals_workspace(fake)
        for n, user in enumerate(rejecters(sizes.workers)):
            fake.add_user(TEAM, user, f"rejecter{n}", real_name=f"Rejecter {n}")
        account = sandbox.accounts[DEMO_SMS_KEY]
        account.balance = Decimal("100000000")
        emails = [sub.email for sub in account.subaccounts]
        async with scratch_database(kind, directory) as database:
            await prepare(database, rejecters(sizes.workers))
            app = Process(
                "web", ["-m", "bot", "serve"], app_env(fake, sandbox, database), directory
            )
            await app.start()
            try:
                soak.readings.append(await reading("started", 0, app))
                async with SlackDriver(
                    fake,
                    app_url=f"{app.url}/slack/events",
                    signing_secret=SIGNING_SECRET,
                    max_connections=0,
                ) as driver:
                    mix = Mix(driver, fake, emails)
                    started = time.monotonic()
                    await mix.run(sizes.warm_up, sizes.workers)
                    await settle(app, database)
                    soak.readings.append(await reading("after warm-up", mix.done, app))
                    await mix.run(sizes.operations - sizes.warm_up, sizes.workers)
                    soak.seconds = time.monotonic() - started
                    soak.statuses = await settle(app, database)
                    soak.readings.append(await reading("at the end", mix.done, app))
                    # aiohttp closes a keep-alive connection idle for 15 s: what is still open
                    # after 20 s idle is held (the database pools), not just left from the run.
                    await asyncio.sleep(sizes.idle)
                    soak.readings.append(await reading(f"{sizes.idle:g} s idle", mix.done, app))
                    soak.done, soak.errors = mix.done, mix.errors
            finally:
                await app.stop()
    return soak


HEADERS = ["when", "commands and clicks", "RSS MB", "peak RSS MB", "tasks", "open fds",
           "sockets"]  # fmt: skip


def report(sizes: Sizes, soak: Soak) -> str:
    warm, end = soak.readings[1], soak.readings[2]
    growth = end.rss - warm.rss
    verdict = [
        f"RSS growth after warm-up: {growth:+.1f} MB (target under {GROWTH_LIMIT_MB} MB: "
        f"{'met' if growth < GROWTH_LIMIT_MB else 'MISSED'}); tasks {end.tasks - warm.tasks:+d}, "
        f"open fds {end.files - warm.files:+d}, sockets {end.sockets - warm.sockets:+d} at the "
        f"end; after {sizes.idle:g} s idle, against the warm-up: open fds "
        f"{soak.readings[3].files - warm.files:+d}, sockets "
        f"{soak.readings[3].sockets - warm.sockets:+d}.",
        f"{soak.done} commands and clicks in {soak.seconds:.0f} s "
        f"({soak.done / soak.seconds:.1f}/s), {soak.errors} errors; requests by status: "
        + ", ".join(f"{s} {c}" for s, c in sorted(soak.statuses.items())),
    ]
    return "\n".join(
        [
            "## bench soak",
            "",
            f"Machine: {machine()}",
            f"One `serve` process on {soak.kind}; {sizes.workers} simulated users at once, each "
            "repeating: balance, subaccounts, Next page, credit request, Approve, Approve again, "
            "credit request, Reject and its reason, requests, balance. Each reading is taken once "
            "every request has ended and the task count holds still (tasks include the one "
            "answering /healthz).",
            "",
            table(HEADERS, [r.row() for r in soak.readings]),
            "",
            *verdict,
            "",
        ]
    )


def main(args: argparse.Namespace) -> str:
    sizes = TINY if args.tiny else QUICK if args.quick else FULL
    kind = database_kinds()[-1]
    return report(sizes, asyncio.run(run(sizes, kind)))
