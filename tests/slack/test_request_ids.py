"""Structured logs: JSON lines in production, each carrying the id of the Slack request that
led to it, and nothing secret."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator

import pytest

from bot.logs import JsonLines, WithRequestId
from tests.slack.harness import Harness


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.addFilter(WithRequestId())
        self.setFormatter(JsonLines())
        self.lines: list[dict] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))


@pytest.fixture
def logged() -> Iterator[Lines]:
    handler = Lines()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)


async def test_every_line_of_a_request_carries_its_id(slack: Harness, logged: Lines) -> None:
    await slack.ask("balance sms")
    first = [e for e in logged.lines if e["logger"] == "bot.partner"]  # not the sandbox's
    logged.lines.clear()
    await slack.ask("balance mail")  # not SMS again: that would be served from the short cache
    second = [e for e in logged.lines if e["logger"] == "bot.partner"]
    # The vendor calls happen in the listener's task, after the ack: they still know their
    # request, and two requests have two ids.
    first_ids = {e["request_id"] for e in first}
    second_ids = {e["request_id"] for e in second}
    assert first and second
    assert len(first_ids) == 1 and len(second_ids) == 1 and first_ids != second_ids
    assert "-" not in first_ids | second_ids
    for entry in first + second:
        assert {"time", "level", "logger", "message"} <= set(entry)


def test_a_json_line_holds_the_error_too() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed %s", ("here",), None)
        record.exc_info = sys.exc_info()
    record.request_id = "abc123"
    entry = json.loads(JsonLines().format(record))
    assert entry["message"] == "failed here" and entry["request_id"] == "abc123"
    assert "ValueError: boom" in entry["error"]
