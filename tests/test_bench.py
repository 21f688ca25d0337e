"""Every benchmark runs (at its smallest); timings are not checked here, the tables are read
by people (docs/performance.md).

One bench goes through the CLI in a subprocess (`python -m bot bench … --tiny`: the argument
parsing, the printing); the others are run in this process at sizes smaller still than
`--tiny`. Each still starts its own app processes, which is what takes the time.
"""

from __future__ import annotations

import asyncio
import gc
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from devkit.bench import ack, approvals, digest, soak
from devkit.bench.common import Process, cpu_seconds, percentile, table
from devkit.bench.runner import BENCHES
from devkit.sandbox import PER_PAGE

ROOT = Path(__file__).resolve().parents[1]


def _assert_a_table(name: str, out: str) -> None:
    assert f"## bench {name}" in out
    assert "CPU(s), Python" in out
    assert "\n|---" in out  # a Markdown table


def test_the_cli_runs_a_bench_and_prints_its_table(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "BOT_"))}
    env.pop("DATABASE_URL", None)  # SQLite only here: the tiniest setting
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [sys.executable, "-m", "bot", "bench", "anomalies", "--tiny"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    _assert_a_table("anomalies", done.stdout)


def _ack() -> str:
    sizes = ack.Sizes(
        burst=1, total=1, at_a_time=1, vendor_seconds=0.01, reply_deadline=15, settle_seconds=0
    )
    # One workspace and many-workspace (OAuth) side by side: both modes, one naive app and
    # one client process for the two.
    out = asyncio.run(ack.run(sizes, both_modes=True))
    assert "one workspace" in out and "OAuth" in out, out
    # each round says the CPU its app used a command (the naive app's too)
    assert "| CPU ms a command |" in out, out
    for row in out.split("\n|---")[1].splitlines()[1:]:
        cpu = row.split("|")[ack.HEADERS.index("CPU ms a command") + 1]
        assert float(cpu) >= 0, row
    return out


def _ack_in_turns() -> str:
    sizes = ack.Sizes(
        burst=1, total=1, at_a_time=1, vendor_seconds=0.01, reply_deadline=15, settle_seconds=0
    )
    out = asyncio.run(ack.run(sizes, pairs=2, both_modes=True))
    assert "## bench ack --pairs" in out and " of 2 " in out, out
    # and many workspaces against one workspace, both up at once, in turns
    assert "many workspaces against one" in out and "turns within 1.2×" in out, out
    # and the control: the one-workspace app against a second copy of itself
    assert "one workspace against one workspace (the same app twice)" in out, out
    # each table ends with the p99 of every warm turn's acks together, one figure an app,
    # then the CPU each app used a command over the warm turns
    for header in ("| run ", "| many workspaces against one ", "| one workspace against one "):
        row = out.split(header)[1].split("\n")[2]
        assert re.search(r"\| \d+ / \d+ +\| \d+\.\d\d / \d+\.\d\d +\|$", row), out
    return out


def _digest() -> str:
    sizes = digest.Sizes(
        workspaces=1, subaccounts=PER_PAGE + 1, page_seconds=0.001, history_subaccounts=3,
        history_hours=2,
    )  # fmt: skip
    thresholds = gc.get_threshold()
    out = asyncio.run(digest.run(sizes))
    # settled as a started worker's for the round, then put back: this is a test worker
    assert gc.get_threshold() == thresholds
    # each round says the CPU the app spent in it, beside its wall time
    for label in ("cold", "warm"):
        row = next(line for line in out.splitlines() if line.startswith(f"| {label} "))
        cpu = row.split("|")[7]
        assert float(cpu) > 0, row
    assert "| app CPU s |" in out, out
    return out


def _approvals() -> str:
    sizes = approvals.Sizes(requests=1, at_a_time=1, deadline=30)
    return approvals.report(sizes, [asyncio.run(approvals.run(sizes, "sqlite"))])


def _soak() -> str:
    sizes = soak.Sizes(operations=2 * soak.UNIT, warm_up=soak.UNIT, workers=1, idle=0)
    return soak.report(sizes, asyncio.run(soak.run(sizes, "sqlite")))


@pytest.mark.parametrize(
    ("name", "run"),
    [
        ("ack", _ack),
        ("ack", _ack_in_turns),
        ("digest", _digest),
        ("approvals", _approvals),
        ("soak", _soak),
    ],
    ids=["ack-both-modes", "ack-in-turns", "digest", "approvals", "soak"],
)
def test_each_bench_runs_and_prints_its_table(
    name: str, run: Callable[[], str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)  # SQLite only here: the tiniest setting
    monkeypatch.chdir(tmp_path)
    _assert_a_table(name, run())


def test_every_bench_is_covered_above() -> None:
    assert set(BENCHES) == {"ack", "digest", "approvals", "soak", "anomalies"}


@pytest.mark.parametrize(
    ("values", "fraction", "expected"),
    [
        ([1.0], 0.99, 1.0),
        ([3.0, 1.0, 2.0], 0.5, 2.0),
        ([float(n) for n in range(1, 101)], 0.99, 99.0),
        ([float(n) for n in range(1, 101)], 0.5, 50.0),
        ([float(n) for n in range(1, 101)], 1.0, 100.0),
    ],
)
def test_percentile_is_nearest_rank(values: list[float], fraction: float, expected: float) -> None:
    assert percentile(values, fraction) == expected


def test_cpu_seconds_counts_a_process_s_work_and_nothing_once_it_is_gone() -> None:
    before = cpu_seconds(os.getpid())
    spent = before
    for _ in range(1_000):  # the kernel counts in ticks: work until one is counted
        sum(range(100_000))
        spent = cpu_seconds(os.getpid())
        if spent > before:
            break
    assert spent > before >= 0
    gone = cpu_seconds(2**22 + 1)  # above any pid Linux hands out
    assert gone != gone  # NaN


def test_percentile_of_nothing_is_nan() -> None:
    assert percentile([], 0.5) != percentile([], 0.5)


def test_table_is_markdown() -> None:
    assert table(["a", "bb"], [["1", "2"]]).splitlines() == [
        "| a | bb |",
        "|---|----|",
        "| 1 | 2  |",
    ]


async def test_an_app_process_runs_at_the_niceness_it_is_given(tmp_path: Path) -> None:
    """`bench ack` runs both apps below the client and the emulator, which play Slack."""
    serve_on_port = (
        "import os, http.server as h; "
        "h.HTTPServer(('127.0.0.1', int(os.environ['PORT'])), h.SimpleHTTPRequestHandler)"
        ".serve_forever()"
    )
    app = Process("niced", ["-c", serve_on_port], {}, tmp_path, niceness=ack.APP_NICENESS)
    await app.start()
    try:
        ours = os.getpriority(os.PRIO_PROCESS, 0)
        assert os.getpriority(os.PRIO_PROCESS, app.pid) == min(ours + ack.APP_NICENESS, 19)
    finally:
        await app.stop()
