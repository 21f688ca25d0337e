"""Which deliveries are claimed before their listener runs: only what Slack can send twice."""

from __future__ import annotations

from typing import Any

import pytest

from bot.slack.middleware import delivery_key

CASES: list[tuple[str, dict[str, Any], str | None]] = [
    (
        "an Events API delivery: its event_id, kept by Slack on every retry",
        {"type": "event_callback", "team_id": "T1", "event_id": "Ev1"},
        "event:T1:Ev1",
    ),
    (
        "an event whose team is only in `team`",
        {"type": "event_callback", "team": {"id": "T2"}, "event_id": "Ev2"},
        "event:T2:Ev2",
    ),
    ("an event without an event_id", {"type": "event_callback", "team_id": "T1"}, None),
    (
        "a slash command: never redelivered",
        {"command": "/partner", "trigger_id": "1.2.abc", "team_id": "T1"},
        None,
    ),
    (
        "a click: never redelivered",
        {"type": "block_actions", "trigger_id": "1.2.abc", "team": {"id": "T1"}},
        None,
    ),
    (
        "a modal submission: never redelivered",
        {"type": "view_submission", "trigger_id": "1.2.abc", "team": {"id": "T1"}},
        None,
    ),
    ("url_verification", {"type": "url_verification", "challenge": "x"}, None),
]


@pytest.mark.parametrize(("body", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_delivery_key(body: dict[str, Any], expected: str | None) -> None:
    assert delivery_key(body) == expected
