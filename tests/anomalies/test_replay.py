"""`python -m bot anomalies replay FILE.csv`: run as people run it, on a generated history."""

from __future__ import annotations

import heapq
import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.services.anomalies import AnomalyDetector
from bot.services.anomalies.replay import alert_line, replay
from devkit.anomalies.generator import Incident, Profile, history

ROOT = Path(__file__).resolve().parents[2]
START = datetime(2026, 3, 1, 23, tzinfo=UTC)  # Monday 2 March, midnight in Paris
INCIDENT = Incident((START + timedelta(days=30, hours=15)).timestamp(), k=50)
ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "BOT_"))}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "bot", "anomalies", "replay", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def csv_file(tmp_path_factory) -> Path:
    import random

    quiet = Profile.random("quiet-sms", random.Random(1))
    hit = Profile.random("hit-sms", random.Random(2))
    hit.usual = max(hit.usual, 5.0)
    rows = heapq.merge(
        history(quiet, START, 33, seed=1),
        history(hit, START, 33, seed=2, incident=INCIDENT),
        key=lambda row: row.time,
    )
    path = tmp_path_factory.mktemp("replay") / "history.csv"
    path.write_text(
        "time,subaccount,balance,moved\n" + "".join(row.csv() + "\n" for row in rows),
        encoding="utf-8",
    )
    return path


def test_replay_prints_one_json_line_per_alert_and_a_summary(csv_file: Path) -> None:
    done = cli(str(csv_file), "--tz", "Europe/Paris", cwd=csv_file.parent)
    assert done.returncode == 0, done.stderr
    alerts = [json.loads(line) for line in done.stdout.splitlines()]
    assert alerts, "the incident opened no alert"
    for alert in alerts:
        assert ISO_UTC.match(alert["time"]), alert
        assert alert["subaccount"] in {"quiet-sms", "hit-sms"}
    caught = [
        a
        for a in alerts
        if a["subaccount"] == "hit-sms"
        and INCIDENT.start <= datetime.fromisoformat(a["time"]).timestamp() <= INCIDENT.end
    ]
    assert len(caught) == 1  # one alert for the incident
    readings = len(csv_file.read_text(encoding="utf-8").splitlines()) - 1
    summary = rf"^{readings} readings of 2 subaccounts .*: {len(alerts)} alerts"
    assert re.search(summary, done.stderr)
    assert "readings/s" in done.stderr


def test_replay_runs_the_live_detector(csv_file: Path) -> None:
    done = cli(str(csv_file), cwd=csv_file.parent)
    with csv_file.open(encoding="utf-8") as lines:
        here = [alert_line(alert) for alert in replay(lines, AnomalyDetector())]
    assert done.stdout.splitlines() == here


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        ("when,who,balance,moved\n", [], "expected the header time,subaccount,balance,moved"),
        (
            "time,subaccount,balance,moved\nyesterday,a,10,0\n",
            [],
            "line 2: not an ISO 8601 time",
        ),
        (
            "time,subaccount,balance,moved\n2026-04-06T06:15:07+02:00,a,10,0\n",
            [],
            "line 2: the time must be UTC",
        ),
        (
            "time,subaccount,balance,moved\n2026-04-06T06:15:07Z,a,10€,0\n",
            [],
            "line 2: not an amount",
        ),
        ("time,subaccount,balance,moved\n2026-04-06T06:15:07Z,a,10\n", [], "expected 4 fields"),
        (
            "time,subaccount,balance,moved\n2026-04-06T06:15:07Z,a,10,0\n"
            "2026-04-06T06:00:07Z,a,10,0\n",
            [],
            "line 3: readings out of order for a",
        ),
        ("time,subaccount,balance,moved\n", ["--tz", "Mars/Olympus"], "unknown time zone"),
        ("time,subaccount,balance,moved\n", ["--floor", "0"], "not a positive amount"),
    ],
)
def test_a_bad_history_is_refused_in_words(tmp_path, capsys, content, args, message) -> None:
    """In-process (the same `main` as the subprocess above): 2, a line that says why, no
    traceback, no alert half printed."""
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    try:
        code = main(["anomalies", "replay", str(path), *args])
    except SystemExit as exit:  # argparse refuses the option itself
        code = exit.code
    out, err = capsys.readouterr()
    assert code == 2
    assert message in err
    assert "Traceback" not in err
    assert out == ""


def test_a_missing_file_is_refused_in_words(tmp_path, capsys) -> None:
    assert main(["anomalies", "replay", str(tmp_path / "nowhere.csv")]) == 2
    err = capsys.readouterr().err
    assert "nowhere.csv" in err and "Traceback" not in err
