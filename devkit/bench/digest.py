"""`bench digest`: a digest round over many workspaces with paged subaccount lists and a slow
vendor, and the memory a digest takes with a week of hourly history.

The round builds every workspace's digest at once (what the scheduler does before posting):
each reads its main balance and every page of its subaccounts. With `c` reads in flight per
key and `p` pages of latency `L`, no client can do better than `(1 + (p - 1) / c) × L` (the
first page says how many there are, the rest can go `c` at a time); the table shows how close
the round comes, and the most requests the vendor saw in flight for one key.

The vendor runs in a process of its own (devkit/bench/vendor.py), as it does in production:
the round times the app's work, not the sandbox answering it on the same event loop.

Memory is measured in a process of its own (`python -m devkit.bench.digest_memory`): its peak
RSS while building one digest with a week of hourly snapshots of every subaccount.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import sys
import time
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert

from bot.clock import utcnow
from bot.config import Settings
from bot.db.models import BalanceSnapshot
from bot.partner.models import Product
from bot.processes import settle_garbage_collection
from bot.runtime import Runtime
from devkit.bench.common import (
    BOT_TOKEN,
    ENCRYPTION_KEY,
    ROOT,
    SIGNING_SECRET,
    machine,
    scratch_database,
    table,
    workdir,
)
from devkit.bench.vendor import Vendor, account_with
from devkit.sandbox import PER_PAGE, Sandbox


@dataclass
class Sizes:
    workspaces: int
    subaccounts: int
    page_seconds: float
    history_subaccounts: int
    history_hours: int


FULL = Sizes(20, 1000, 0.05, 5000, 168)
QUICK = Sizes(20, 1000, 0.05, 1000, 168)
TINY = Sizes(2, 2 * PER_PAGE, 0.01, 50, 24)


def bench_settings(database: str, *, sms_partner_url: str) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        slack_signing_secret=SIGNING_SECRET,
        slack_bot_token=BOT_TOKEN,
        database_url=database,
        bot_encryption_key=ENCRYPTION_KEY,
        sms_partner_url=sms_partner_url,
    )


async def round_of_digests(sizes: Sizes, directory: Path) -> list[list[str]]:
    teams = [f"T{n:04d}" for n in range(sizes.workspaces)]
    rows = []
    async with (
        Vendor(sizes.workspaces, sizes.subaccounts) as vendor,
        scratch_database("sqlite", directory) as database,
    ):
        settings = bench_settings(database, sms_partner_url=vendor.url)
        runtime = await Runtime.start(settings, migrate=False)
        # The collections' thresholds are the process's: put back after the round (the test
        # suite runs this bench in its own workers).
        thresholds = gc.get_threshold()
        try:
            for team, key in zip(teams, vendor.keys, strict=True):
                await runtime.keys.save(team, {Product.SMS: key}, "UBENCH")
            await vendor.slow_down(sizes.page_seconds)
            settle_garbage_collection()  # as `worker` (and `serve`) do once started
            concurrency = runtime.settings.partner_concurrency_per_key
            pages = -(-sizes.subaccounts // PER_PAGE)
            bound = (1 + (pages - 1) / concurrency) * sizes.page_seconds
            for label in ("cold", "warm"):
                calls_before, _ = await vendor.count()
                started, cpu_before = time.monotonic(), time.process_time()
                await asyncio.gather(
                    *(
                        runtime.digests.build(team, [Product.SMS], zone="UTC", since=None)
                        for team in teams
                    )
                )
                wall = time.monotonic() - started
                # The app's CPU in the round (its event loop and the database's threads; the
                # vendor is another process): near the wall time, the round waits on the CPU
                # more than on the vendor, and a slower machine stretches it as much.
                cpu = time.process_time() - cpu_before
                calls, most = await vendor.count()
                rows.append(
                    [
                        label,
                        f"{sizes.workspaces} × {sizes.subaccounts} ({pages} pages)",
                        f"{sizes.page_seconds * 1000:.0f}",
                        f"{wall:.2f}",
                        f"{bound:.2f}",
                        f"{wall / bound:.2f}×",
                        f"{cpu:.2f}",
                        str(calls - calls_before),
                        f"{most} (limit {concurrency})",
                    ]
                )
        finally:
            gc.set_threshold(*thresholds)
            await runtime.close()
    return rows


async def memory_with_history(sizes: Sizes, directory: Path) -> list[str]:
    sandbox = Sandbox(demo=False)
    account = account_with(sandbox, sizes.history_subaccounts)
    team = "T0HISTORY"
    async with sandbox, scratch_database("sqlite", directory) as database:
        settings = bench_settings(database, sms_partner_url=sandbox.url(Product.SMS))
        runtime = await Runtime.start(settings, migrate=False)
        try:
            await runtime.keys.save(team, {Product.SMS: account.api_key}, "UBENCH")
            now = utcnow()
            async with runtime.database.session() as session:
                for hour in range(sizes.history_hours, 0, -1):
                    await session.execute(
                        insert(BalanceSnapshot).values(
                            team_id=team,
                            product=Product.SMS.value,
                            taken_at=now - timedelta(hours=hour),
                            source="hourly",
                            main_balance=account.balance + hour,
                            subaccounts={
                                sub.token: str(sub.balance + Decimal(hour) / 10)
                                for sub in account.subaccounts
                            },
                            # As the app writes a reading (bot/services/snapshots.py).
                            subaccount_total=sum(
                                (sub.balance + Decimal(hour) / 10 for sub in account.subaccounts),
                                Decimal(0),
                            ),
                        )
                    )
        finally:
            await runtime.close()
        # Asynchronously: the sandbox answering the child runs in this process's loop.
        child = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "devkit.bench.digest_memory",
            team,
            cwd=directory,
            env={
                **os.environ,
                "PYTHONPATH": str(ROOT),
                "DATABASE_URL": database,
                "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                "SLACK_BOT_TOKEN": BOT_TOKEN,
                "BOT_ENCRYPTION_KEY": ENCRYPTION_KEY,
                "SMS_PARTNER_URL": sandbox.url(Product.SMS),
            },
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(child.communicate(), 600)
    if child.returncode != 0:
        raise RuntimeError(f"digest_memory failed:\n{err.decode(errors='replace')[-3000:]}")
    measured = json.loads(out.decode().strip().splitlines()[-1])
    return [
        f"{sizes.history_subaccounts} subaccounts × {sizes.history_hours} hourly snapshots",
        f"{measured['started_mb']:.0f}",
        f"{measured['peak_mb']:.0f}",
        f"{measured['seconds']:.2f}",
    ]


async def run(sizes: Sizes) -> str:
    async with workdir() as directory:
        rounds = await round_of_digests(sizes, directory)
        memory = await memory_with_history(sizes, directory)
    return "\n".join(
        [
            "## bench digest",
            "",
            f"Machine: {machine()}",
            "",
            "A round: every workspace's digest built at once (main balance and every page of "
            "subaccounts), each vendor read slowed by the page latency.",
            "",
            table(
                [
                    "round",
                    "workspaces × subaccounts",
                    "ms a page",
                    "wall s",
                    "bound s",
                    "wall / bound",
                    "app CPU s",
                    "vendor calls",
                    "most in flight per key",
                ],
                rounds,
            ),
            "",
            "Memory of a process building one digest over its history:",
            "",
            table(["history", "RSS at start MB", "peak RSS MB", "build s"], [memory]),
            "",
        ]
    )


def main(args: argparse.Namespace) -> str:
    sizes = TINY if args.tiny else QUICK if args.quick else FULL
    return asyncio.run(run(sizes))
