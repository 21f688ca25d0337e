"""`bench ack`: a burst of `/partner balance` commands, the real app against a naive Bolt app.

Both run as processes of their own; this process plays Slack (the emulator, sending signed
HTTP requests) and the vendor (the sandbox, every GET slowed to the vendor latency). Measured
from Slack's side: the ack of each command, and when its reply reached the response_url.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

from bot.partner.models import Product
from devkit.bench.bursts import CHANNEL, HEADERS, TEAM, USER, Recorder, Round, burst
from devkit.bench.client import Client
from devkit.bench.common import (
    BOT_TOKEN,
    ENCRYPTION_KEY,
    SIGNING_SECRET,
    Process,
    database_kinds,
    machine,
    ms,
    percentile,
    scratch_database,
    table,
    workdir,
)
from devkit.emulator import FakeSlack
from devkit.sandbox import DEMO_SMS_KEY, Fault, FaultKind, Sandbox

APP_NICENESS = 5
"""Both apps (ours and the naive one) run this much below the bench's client and emulator,
which play Slack. Slack's senders do not share the app's cores; on the bench's two they did,
and an app busy after its acks (ours replying at once, the naive one sleeping on the vendor)
had the client read its acks late: ack p99 from Slack's side moved with the work after the
ack, not the ack (docs/performance.md, "Slack's side on the app's cores")."""


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
        naive = Process(
            "naive", ["-m", "devkit.bench.naive"], naive_env, directory, niceness=APP_NICENESS
        )

        async def partner_ops(
            kind: str, many_workspaces: bool, database: str, copy: str = ""
        ) -> Process:
            env = app_env(fake, sandbox, database)
            if many_workspaces:
                await install_workspace(database, sandbox)
                for name in ("SLACK_BOT_TOKEN", "SMS_PARTNER_API_KEY"):
                    env.pop(name)
                env |= {"SLACK_CLIENT_ID": CLIENT_ID, "SLACK_CLIENT_SECRET": CLIENT_SECRET}
            return Process(
                f"partner-ops-{kind}-{_mode(many_workspaces)[0]}{copy}",
                serve,
                env,
                directory,
                niceness=APP_NICENESS,
            )

        for kind in database_kinds():
            for many_workspaces in modes:
                async with scratch_database(kind, directory) as database:
                    app = await partner_ops(kind, many_workspaces, database)
                    name = f"Partner Ops{many}, {_mode(many_workspaces)}, {kind}"
                    if pairs:
                        turns.append(
                            await _in_turns(client, app, naive, name, sandbox, fake, sizes, pairs)
                        )
                    else:
                        rounds += await _measure(client, app, name, sandbox, fake, sizes)
        if pairs and both_modes:
            # Many workspaces against one, both up at once, in turns: the 1.2× target under
            # the same load at each turn. Then the control: one workspace against a second
            # copy of itself, the same code twice — how far apart two bursts of the same app
            # fall on this machine, which no difference between the modes can be told within.
            modes_turns, control_turns = [], []
            for kind in database_kinds():
                for against, rows in ((True, modes_turns), (False, control_turns)):
                    async with (
                        scratch_database(kind, directory) as first_db,
                        scratch_database(kind, directory) as one_db,
                    ):
                        first = await partner_ops(kind, against, first_db)
                        one_app = await partner_ops(kind, False, one_db, copy="2")
                        rows.append(
                            await _in_turns(
                                client, first, one_app, f"Partner Ops{many}, {kind}", sandbox,
                                fake, sizes, pairs, within=MANY_WORKSPACES_WITHIN,
                            )
                        )  # fmt: skip
            both = (
                f"both up at once (no naive app): a cold burst of {sizes.burst} on each, then "
                f"{pairs} warm bursts on each in turns (each first in every other turn)."
            )
            return "\n\n".join(
                [
                    report_turns(sizes, turns, pairs, oauth=True),
                    f"Many workspaces against one workspace, {both}",
                    table(MODES_TURN_HEADERS, modes_turns),
                    f"The control: one workspace against a second one-workspace app, {both}",
                    table(CONTROL_TURN_HEADERS, control_turns),
                ]
            )
        if pairs:
            return report_turns(sizes, turns, pairs, oauth=oauth)
        rounds += await _measure(client, naive, "naive Bolt", sandbox, fake, sizes)
    return report(sizes, rounds, oauth=oauth or both_modes)


def _mode(many_workspaces: bool) -> str:
    return "OAuth" if many_workspaces else "one workspace"


def _turn_headers(first: str, pair: str, counted: str) -> list[str]:
    """The columns of a table of bursts in turns, `pair` naming its two apps."""
    return [
        first,
        f"cold p99 ms ({pair})",
        f"warm p99 ms, median of the turns ({pair})",
        f"warm p99 ms, each turn ({pair})",
        counted,
        f"warm p99 ms of every turn's acks together ({pair})",
        f"CPU ms a command, warm ({pair})",
    ]


MANY_WORKSPACES_WITHIN = 1.2
"""The target: many-workspace ack p99 within 1.2× of one workspace's."""

TURN_HEADERS = _turn_headers("run", "ours / naive", "turns where ours ≤ naive")
MODES_TURN_HEADERS = _turn_headers(
    "many workspaces against one", "many / one", f"turns within {MANY_WORKSPACES_WITHIN}×"
)
CONTROL_TURN_HEADERS = _turn_headers(
    "one workspace against one workspace (the same app twice)",
    "first / second",
    f"turns within {MANY_WORKSPACES_WITHIN}×",
)


async def _in_turns(
    client: Client,
    ours: Process,
    naive: Process,
    name: str,
    sandbox: Sandbox,
    fake: FakeSlack,
    sizes: Sizes,
    pairs: int,
    *,
    within: float = 1.0,
) -> list[str]:
    """A cold burst on each, then `pairs` warm bursts on each in turns, `ours` first in every
    other turn (a burst that always came first, or always second, after the other app's
    replies, would be measured in a position of its own); a turn counts when `ours` is within
    `within` × the other's p99. The last column pools every warm turn's acks of each app: the
    p99 of a burst of 200 is its third slowest ack, which one pause of the machine sets; over
    all the turns it is the p99 of `pairs` × 200 acks. Then the CPU each app's processes used
    a command over the warm turns: the work, which the machine's pauses do not move."""
    async with _up(sandbox, fake, sizes, ours, naive) as drivers:
        apps = {"ours": (drivers[0], ours), "naive": (drivers[1], naive)}
        acks: dict[str, list[float]] = {"ours": [], "naive": []}
        cpu = {"ours": 0.0, "naive": 0.0}

        async def p99(who: str, *, warm: bool = True) -> float:
            driver, process = apps[who]
            done = await burst(
                client, driver, sandbox, process, who, sizes.burst, sizes.burst,
                sizes.reply_deadline,
            )  # fmt: skip
            if warm:
                acks[who] += done.acks
                cpu[who] += done.cpu
            return percentile(done.acks, 0.99)

        cold = [await p99("ours", warm=False), await p99("naive", warm=False)]
        warm = []
        for turn in range(pairs):
            if turn % 2:
                theirs, mine = await p99("naive"), await p99("ours")
            else:
                mine, theirs = await p99("ours"), await p99("naive")
            warm.append((mine, theirs))
    wins = sum(1 for mine, theirs in warm if mine <= within * theirs)
    return [
        name,
        f"{ms(cold[0])} / {ms(cold[1])}",
        f"{ms(percentile([w[0] for w in warm], 0.5))} / "
        f"{ms(percentile([w[1] for w in warm], 0.5))}",
        ", ".join(f"{ms(mine)}/{ms(theirs)}" for mine, theirs in warm),
        f"{wins} of {pairs}",
        f"{ms(percentile(acks['ours'], 0.99))} / {ms(percentile(acks['naive'], 0.99))}",
        " / ".join(f"{cpu[who] / len(acks[who]) * 1000:.2f}" for who in ("ours", "naive")),
    ]


def report_turns(sizes: Sizes, turns: list[list[str]], pairs: int, *, oauth: bool) -> str:
    return _report(
        "## bench ack --pairs",
        f"Both apps up at once; a cold burst of {sizes.burst} on each, then {pairs} warm "
        f"bursts of {sizes.burst} on each in turns (each first in every other turn), every "
        f"reply waited for before the next burst. Vendor latency {sizes.vendor_seconds:.2f} s "
        "on every read. "
        f"Both apps run at niceness {APP_NICENESS} under the client and the emulator.",
        table(TURN_HEADERS, turns),
        oauth=oauth,
    )


async def _measure(
    client: Client, process: Process, name: str, sandbox: Sandbox, fake: FakeSlack, sizes: Sizes
) -> list[Round]:
    rounds = []
    async with _up(sandbox, fake, sizes, process) as (driver,):
        for label, count, at_a_time in (
            (f"{name}, cold: {sizes.burst} at once", sizes.burst, sizes.burst),
            (f"{name}, warm: {sizes.burst} at once", sizes.burst, sizes.burst),
            (f"{name}: {sizes.total}, {sizes.at_a_time} at a time", sizes.total,
             sizes.at_a_time),
        ):  # fmt: skip
            rounds.append(
                await burst(
                    client, driver, sandbox, process, label, count, at_a_time,
                    sizes.reply_deadline,
                )
            )  # fmt: skip
    return rounds


@asynccontextmanager
async def _up(
    sandbox: Sandbox, fake: FakeSlack, sizes: Sizes, *processes: Process
) -> AsyncIterator[list[Recorder]]:
    """The apps started and settled, every vendor read slowed: a driver for each; stopped
    after."""
    sandbox.clear_faults()
    await asyncio.gather(*(process.start() for process in processes))
    try:
        await asyncio.sleep(sizes.settle_seconds)
        sandbox.inject(
            Fault(FaultKind.LATENCY, method="GET", times=None, delay=sizes.vendor_seconds)
        )
        async with AsyncExitStack() as stack:
            yield [
                await stack.enter_async_context(
                    Recorder(
                        fake,
                        app_url=f"{process.url}/slack/events",
                        signing_secret=SIGNING_SECRET,
                        max_connections=0,
                    )
                )
                for process in processes
            ]
    finally:
        sandbox.clear_faults()
        await asyncio.gather(*(process.stop() for process in processes))


def report(sizes: Sizes, rounds: list[Round], *, oauth: bool) -> str:
    return _report(
        "## bench ack",
        f"Vendor latency {sizes.vendor_seconds:.2f} s on every read; replies waited for up "
        f"to {sizes.reply_deadline:.0f} s after the last command (later ones count as "
        "errors). Acks timed by a client process of its own (devkit/bench/client.py), the same "
        f"for every app; replies as they reach the emulator. Both apps run at niceness "
        f"{APP_NICENESS} under the client and the emulator (Slack's side).",
        table(HEADERS, [r.row() for r in rounds]),
        oauth=oauth,
    )


def _report(title: str, what: str, measured: str, *, oauth: bool) -> str:
    slack = f" Slack answers auth.test after {AUTH_TEST_SECONDS:.1f} s." if oauth else ""
    return "\n".join(
        [title + (" --oauth" if oauth else ""), "", f"Machine: {machine()}", what + slack, "",
         measured, ""]
    )  # fmt: skip


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
