"""`bench ack`: a burst of `/partner balance` commands, the real app against a naive Bolt app.

Both run as processes of their own; this process plays Slack (the emulator, sending signed
HTTP requests) and the vendor (the sandbox, every GET slowed to the vendor latency). Measured
from Slack's side: the ack of each command, and when its reply reached the response_url.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from bot.partner.models import Product
from devkit.bench.client import Client
from devkit.bench.common import (
    BOT_TOKEN,
    ENCRYPTION_KEY,
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
from devkit.sandbox import DEMO_SMS_KEY, Fault, FaultKind, Sandbox

TEAM = "T0BENCH"
USER = "UBENCH"
CHANNEL = "C0BENCH"


@dataclass
class Sizes:
    burst: int
    total: int
    at_a_time: int
    vendor_seconds: float
    reply_deadline: float
    """Seconds after the last command was sent that replies are waited for."""
    settle_seconds: float = 0.5
    """Waited after an app starts, before its first burst: its start-up reads (the first
    scheduler round) out of the way."""


FULL = Sizes(burst=200, total=2000, at_a_time=200, vendor_seconds=1.0, reply_deadline=60)
QUICK = Sizes(burst=50, total=200, at_a_time=50, vendor_seconds=1.0, reply_deadline=30)
TINY = Sizes(burst=3, total=6, at_a_time=3, vendor_seconds=0.05, reply_deadline=15)


@dataclass
class Round:
    label: str
    acks: list[float] = field(default_factory=list)
    replies: list[float] = field(default_factory=list)
    all_replied: float = float("nan")
    """From the first command sent to the last reply received."""
    errors: int = 0
    vendor_calls: int = 0
    wall: float = 0.0
    peak_rss: float = float("nan")

    def row(self) -> list[str]:
        return [
            self.label,
            str(len(self.acks)),
            ms(percentile(self.acks, 0.5)),
            ms(percentile(self.acks, 0.95)),
            ms(percentile(self.acks, 0.99)),
            ms(max(self.acks, default=float("nan"))),
            f"{percentile(self.replies, 0.5):.2f}",
            f"{max(self.replies, default=float('nan')):.2f}",
            f"{self.all_replied:.2f}",
            str(self.vendor_calls),
            str(self.errors),
            f"{self.peak_rss:.0f}",
        ]


HEADERS = [
    "run",
    "commands",
    "ack p50 ms",
    "ack p95 ms",
    "ack p99 ms",
    "ack max ms",
    "reply p50 s",
    "reply max s",
    "all replied s",
    "vendor calls",
    "errors",
    "peak RSS MB",
]


class Recorder(SlackDriver):
    """Builds and signs each request as the driver does, and keeps it instead of sending it:
    the client process sends them (devkit.bench.client)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.prepared: list[dict[str, Any]] = []

    async def _post(
        self,
        body: bytes,
        headers: dict[str, str],
        *,
        sent: dict[str, Any],
        response_url: str | None = None,
        trigger_id: str | None = None,
    ) -> Delivery:
        self.prepared.append({"body": body.decode(), "headers": headers})
        return Delivery(
            status=0,
            body="",
            json=None,
            response_url=response_url,
            trigger_id=trigger_id,
            sent=sent,
            fake=self.fake,
        )


async def burst(
    client: Client,
    driver: Recorder,
    sandbox: Sandbox,
    process: Process,
    label: str,
    count: int,
    at_a_time: int,
    deadline: float,
) -> Round:
    result = Round(label)
    calls_before = len(sandbox.journal)
    started = time.monotonic()
    driver.prepared.clear()
    prepared = [await driver.command("balance", team_id=TEAM, user_id=USER) for _ in range(count)]
    answers = await client.send(driver.app_url, at_a_time, driver.prepared)
    first_sent = min(a["sent"] for a in answers)
    last_sent = time.monotonic()
    sent: list[tuple[float, Delivery | None]] = []
    for delivery, answer in zip(prepared, answers, strict=True):
        late = answer["elapsed"] > driver.ack_timeout
        done = replace(
            delivery,
            status=504 if late else answer["status"],
            body=answer["body"],
            elapsed=answer["elapsed"],
            late=late,
            app_status=answer["status"],
        )
        if answer["status"] == 0 or done.status != 200 or late:
            result.errors += 1
        if answer["status"]:
            result.acks.append(done.elapsed)
        sent.append((answer["sent"], done if answer["status"] else None))

    arrivals: list[float] = []

    async def reply(at: float, delivery: Delivery | None) -> None:
        if delivery is None or delivery.status != 200:
            return
        remaining = max(0.1, deadline - (time.monotonic() - last_sent))
        try:
            post = await delivery.wait_response(timeout=remaining)
        except AssertionError:
            result.errors += 1  # no reply before the deadline
            return
        result.replies.append(post.at - at)
        arrivals.append(post.at)

    await asyncio.gather(*(reply(at, delivery) for at, delivery in sent))
    if arrivals and not result.errors:
        result.all_replied = max(arrivals) - first_sent
    result.wall = time.monotonic() - started
    result.vendor_calls = len(sandbox.journal) - calls_before
    result.peak_rss = max(memory_mb(pid)[1] for pid in process_group(process.pid))
    return result


def process_group(pid: int) -> list[int]:
    """The process and its children (`serve --processes N` is a parent and N children): the
    peak RSS reported is the largest of them, per process as the target counts it."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        children = []
    return [pid, *(int(child) for child in children)]


def app_env(fake: FakeSlack, sandbox: Sandbox, database: str) -> dict[str, str]:
    # SMS only: the naive app reads one product too, and Voice's documented limit (5 reads a
    # minute per key) would make a burst a rate-limit test instead.
    return {
        "DATABASE_URL": database,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.api_url,
        "BOT_ENCRYPTION_KEY": ENCRYPTION_KEY,
        "SMS_PARTNER_URL": sandbox.url(Product.SMS),
        "SMS_PARTNER_API_KEY": DEMO_SMS_KEY,
        "SCHEDULER_INTERVAL_SECONDS": "3600",
        "MAINTENANCE_INTERVAL_SECONDS": "3600",
    }


CLIENT_ID = "1111.2222"
CLIENT_SECRET = SIGNING_SECRET[::-1]
AUTH_TEST_SECONDS = 0.1


async def install_workspace(database: str, sandbox: Sandbox) -> None:
    """What an OAuth install leaves in the database, written through the app's own stores;
    and the workspace's Partner key, as /partner setup saves it."""
    from slack_sdk.oauth.installation_store import Installation

    from bot.config import Settings
    from bot.runtime import Runtime
    from bot.slack import stores

    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        slack_signing_secret=SIGNING_SECRET,
        slack_client_id=CLIENT_ID,
        slack_client_secret=CLIENT_SECRET,
        database_url=database,
        bot_encryption_key=ENCRYPTION_KEY,
    )
    runtime = await Runtime.start(settings, migrate=False)
    try:
        await stores.installation_store(runtime).async_save(
            Installation(
                app_id="AAPP",
                team_id=TEAM,
                team_name="Bench Co",
                bot_token=BOT_TOKEN,
                bot_id="BBOT",
                bot_user_id="UBOT",
                bot_scopes="commands,chat:write",
                user_id=USER,
            )
        )
        await runtime.keys.save(TEAM, {Product.SMS: DEMO_SMS_KEY}, USER)
    finally:
        await runtime.close()


async def run(
    sizes: Sizes,
    *,
    oauth: bool = False,
    both_modes: bool = False,
    processes: int = 1,
    pairs: int = 0,
) -> str:
    """`pairs`: instead of the usual rounds, both apps up at once and their warm bursts taken
    in turns, `pairs` of them: under the same load from the rest of the machine at each turn,
    where the usual rounds measure one app minutes after the other."""
    rounds: list[Round] = []
    turns: list[list[str]] = []
    modes = [False, True] if both_modes else [oauth]
    serve = ["-m", "bot", "serve"] + (["--processes", str(processes)] if processes > 1 else [])
    many = f", {processes} processes" if processes > 1 else ""
    async with (
        workdir() as directory,
        Sandbox() as sandbox,
        FakeSlack() as fake,
        Client() as client,
    ):
        fake.add_team(TEAM, "Bench Co", bot_token=BOT_TOKEN)
        fake.add_user(TEAM, USER, "bench", real_name="Bench User")
        fake.add_channel(TEAM, CHANNEL, "general")
        if oauth or both_modes:
            fake.slow("auth.test", AUTH_TEST_SECONDS)
        naive_env = app_env(fake, sandbox, "")
        naive = Process("naive", ["-m", "devkit.bench.naive"], naive_env, directory)
        for kind in database_kinds():
            for many_workspaces in modes:
                async with scratch_database(kind, directory) as database:
                    env = app_env(fake, sandbox, database)
                    mode = "one workspace"
                    if many_workspaces:
                        await install_workspace(database, sandbox)
                        for name in ("SLACK_BOT_TOKEN", "SMS_PARTNER_API_KEY"):
                            env.pop(name)
                        env |= {"SLACK_CLIENT_ID": CLIENT_ID, "SLACK_CLIENT_SECRET": CLIENT_SECRET}
                        mode = "OAuth"
                    app = Process(f"partner-ops-{kind}-{mode[0]}", serve, env, directory)
                    name = f"Partner Ops{many}, {mode}, {kind}"
                    if pairs:
                        turns.append(
                            await _in_turns(client, app, naive, name, sandbox, fake, sizes, pairs)
                        )
                    else:
                        rounds += await _measure(client, app, name, sandbox, fake, sizes)
        if pairs:
            return report_turns(sizes, turns, pairs, oauth=oauth or both_modes)
        rounds += await _measure(client, naive, "naive Bolt", sandbox, fake, sizes)
    return report(sizes, rounds, oauth=oauth or both_modes)


TURN_HEADERS = [
    "run",
    "cold p99 ms (ours / naive)",
    "warm p99 ms, median of the turns (ours / naive)",
    "warm p99 ms, each turn (ours / naive)",
    "turns where ours ≤ naive",
]


async def _in_turns(
    client: Client,
    ours: Process,
    naive: Process,
    name: str,
    sandbox: Sandbox,
    fake: FakeSlack,
    sizes: Sizes,
    pairs: int,
) -> list[str]:
    """A cold burst on each, then `pairs` warm bursts on each in turns (ours first)."""
    sandbox.clear_faults()
    await asyncio.gather(ours.start(), naive.start())
    try:
        await asyncio.sleep(sizes.settle_seconds)
        sandbox.inject(
            Fault(FaultKind.LATENCY, method="GET", times=None, delay=sizes.vendor_seconds)
        )
        drivers = {}
        async with (
            Recorder(fake, app_url=f"{ours.url}/slack/events", signing_secret=SIGNING_SECRET,
                     max_connections=0) as drivers["ours"],
            Recorder(fake, app_url=f"{naive.url}/slack/events", signing_secret=SIGNING_SECRET,
                     max_connections=0) as drivers["naive"],
        ):  # fmt: skip
            processes = {"ours": ours, "naive": naive}

            async def p99(who: str) -> float:
                done = await burst(
                    client, drivers[who], sandbox, processes[who], who, sizes.burst,
                    sizes.burst, sizes.reply_deadline,
                )  # fmt: skip
                return percentile(done.acks, 0.99)

            cold = [await p99("ours"), await p99("naive")]
            warm = [(await p99("ours"), await p99("naive")) for _ in range(pairs)]
    finally:
        sandbox.clear_faults()
        await asyncio.gather(ours.stop(), naive.stop())
    wins = sum(1 for mine, theirs in warm if mine <= theirs)
    return [
        name,
        f"{ms(cold[0])} / {ms(cold[1])}",
        f"{ms(_median([w[0] for w in warm]))} / {ms(_median([w[1] for w in warm]))}",
        ", ".join(f"{ms(mine)}/{ms(theirs)}" for mine, theirs in warm),
        f"{wins} of {pairs}",
    ]


def _median(values: list[float]) -> float:
    return percentile(values, 0.5)


def report_turns(sizes: Sizes, turns: list[list[str]], pairs: int, *, oauth: bool) -> str:
    slack = f" Slack answers auth.test after {AUTH_TEST_SECONDS:.1f} s." if oauth else ""
    return "\n".join(
        [
            "## bench ack --pairs" + (" --oauth" if oauth else ""),
            "",
            f"Machine: {machine()}",
            f"Both apps up at once; a cold burst of {sizes.burst} on each, then {pairs} warm "
            f"bursts of {sizes.burst} on each in turns (ours first), every reply waited for "
            f"before the next burst. Vendor latency {sizes.vendor_seconds:.2f} s on every read."
            + slack,
            "",
            table(TURN_HEADERS, turns),
            "",
        ]
    )


async def _measure(
    client: Client, process: Process, name: str, sandbox: Sandbox, fake: FakeSlack, sizes: Sizes
) -> list[Round]:
    sandbox.clear_faults()
    await process.start()
    rounds = []
    try:
        await asyncio.sleep(sizes.settle_seconds)
        sandbox.inject(
            Fault(FaultKind.LATENCY, method="GET", times=None, delay=sizes.vendor_seconds)
        )
        async with Recorder(
            fake,
            app_url=f"{process.url}/slack/events",
            signing_secret=SIGNING_SECRET,
            max_connections=0,
        ) as driver:
            for label, count, at_a_time in (
                (f"{name}, cold: {sizes.burst} at once", sizes.burst, sizes.burst),
                (f"{name}, warm: {sizes.burst} at once", sizes.burst, sizes.burst),
                (f"{name}: {sizes.total}, {sizes.at_a_time} at a time", sizes.total,
                 sizes.at_a_time),
            ):  # fmt: skip
                rounds.append(
                    await burst(
                        client,
                        driver,
                        sandbox,
                        process,
                        label,
                        count,
                        at_a_time,
                        sizes.reply_deadline,
                    )
                )
    finally:
        sandbox.clear_faults()
        await process.stop()
    return rounds


def report(sizes: Sizes, rounds: list[Round], *, oauth: bool) -> str:
    slack = f" Slack answers auth.test after {AUTH_TEST_SECONDS:.1f} s." if oauth else ""
    return "\n".join(
        [
            "## bench ack" + (" --oauth" if oauth else ""),
            "",
            f"Machine: {machine()}",
            f"Vendor latency {sizes.vendor_seconds:.2f} s on every read; replies waited for up "
            f"to {sizes.reply_deadline:.0f} s after the last command (later ones count as "
            "errors). Acks timed by a client process of its own (devkit/bench/client.py), the same "
            "for every app; replies as they reach the emulator." + slack,
            "",
            table(HEADERS, [r.row() for r in rounds]),
            "",
        ]
    )


def main(args: argparse.Namespace) -> str:
    sizes = TINY if args.tiny else QUICK if args.quick else FULL
    return asyncio.run(
        run(
            sizes,
            oauth=args.oauth,
            both_modes=getattr(args, "both_modes", False),
            processes=getattr(args, "processes", 1),
            pairs=getattr(args, "pairs", 0),
        )
    )
