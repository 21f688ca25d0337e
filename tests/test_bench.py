"""Every benchmark runs (at its smallest); timings are not checked here, the tables are read
by people (docs/performance.md)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from devkit.bench.common import percentile, table
from devkit.bench.runner import BENCHES

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("ack", []),
        ("ack", ["--oauth"]),
        ("digest", []),
        ("approvals", []),
        ("soak", []),
        ("anomalies", []),
    ],
)
def test_each_bench_runs_and_prints_its_table(name: str, options: list[str], tmp_path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "BOT_"))}
    env.pop("DATABASE_URL", None)  # SQLite only here: the tiniest setting
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "bot", "bench", name, "--tiny", *options],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"## bench {name}" in done.stdout
    assert "CPU(s), Python" in done.stdout
    assert "\n|---" in done.stdout  # a Markdown table


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


def test_percentile_of_nothing_is_nan() -> None:
    assert percentile([], 0.5) != percentile([], 0.5)


def test_table_is_markdown() -> None:
    assert table(["a", "bb"], [["1", "2"]]).splitlines() == [
        "| a | bb |",
        "|---|----|",
        "| 1 | 2  |",
    ]
