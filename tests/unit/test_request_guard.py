"""The door's rules, table by table: how a body is read (bot.slack.request_guard.parse_body),
which shapes pass (check_shape, check_numbers), and how a number this app minted is read back
(bot.slack.minted.record_number). End to end: tests/slack/test_malformed_deliveries.py."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest

from bot.slack.minted import Garbled, json_object, record_number
from bot.slack.request_guard import (
    LARGEST_NUMBER,
    Malformed,
    check_numbers,
    check_shape,
    parse_body,
    read_delivery,
)
from tests.slack.malformed import (
    BAD,
    block_actions,
    command,
    event_callback,
    shortcut,
    view,
    view_closed,
    view_submission,
)

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


@pytest.mark.parametrize(
    ("raw", "content_type", "expected"),
    [
        # Commands stay commands whatever their fields say.
        (urlencode(command(text="help payload")), FORM, command(text="help payload")),
        (urlencode(command(team_domain="payload-ops")), FORM, command(team_domain="payload-ops")),
        (urlencode(command(text="payload={}")), FORM, command(text="payload={}")),
        ("ssl_check=1&token=x", FORM, {"ssl_check": "1", "token": "x"}),
        # An interaction is a form whose one field is `payload`.
        (urlencode({"payload": '{"type": "shortcut"}'}), FORM, {"type": "shortcut"}),
        # Form fields next to a payload: plain fields (which no shape then accepts).
        ("payload=%7B%7D&token=x", FORM, {"payload": "{}", "token": "x"}),
        ('{"type": "event_callback"}', JSON, {"type": "event_callback"}),
        ('{"type": "event_callback"}', None, {"type": "event_callback"}),
        ('{"n": -9007199254740991}', JSON, {"n": -LARGEST_NUMBER}),
    ],
    ids=[
        "text-says-payload",
        "workspace-named-payload",
        "text-says-payload=",
        "ssl-check",
        "interaction",
        "payload-among-fields",
        "json",
        "json-without-content-type",
        "largest-number",
    ],
)
def test_how_a_body_is_read(raw: str, content_type: str | None, expected: dict) -> None:
    assert parse_body(raw, content_type) == expected


@pytest.mark.parametrize(
    ("raw", "content_type", "reason"),
    [
        ("", FORM, "empty body"),
        ("payload=%7B%7D&payload=%7B%7D", FORM, "payload given twice"),
        ("text=a&text=b&command=%2Fpartner", FORM, "a form field given twice"),
        (urlencode({"payload": "{not json"}), FORM, "payload is not valid JSON"),
        (urlencode({"payload": "[1, 2]"}), FORM, "JSON that is not an object"),
        ("[1, 2]", JSON, "JSON that is not an object"),
        ("{broken", JSON, "body is not valid JSON"),
        ('{"n": 9007199254740992}', JSON, "a number too large"),
        ('{"n": ' + "9" * 40 + "}", JSON, "a number too large"),
        ('{"n": ' + "9" * 5000 + "}", JSON, "a number too large"),
        ('{"n": NaN}', JSON, "NaN or Infinity"),
        ('{"n": -Infinity}', JSON, "NaN or Infinity"),
        ('{"n": ' + "[" * 100_000 + "]" * 100_000 + "}", JSON, "body is not valid JSON"),
    ],
)
def test_bodies_that_cannot_be_read(raw: str, content_type: str, reason: str) -> None:
    with pytest.raises(Malformed) as refused:
        parse_body(raw, content_type)
    assert refused.value.reason == reason


@pytest.mark.parametrize(
    "body",
    [
        command(),
        command(text=""),
        block_actions(),
        block_actions(enterprise={"id": "E1", "name": "Org"}, team=None),
        block_actions(
            container={"type": "view", "view_id": "V0FORM"},
            view=view(),
            actions=[{"type": "static_select", "action_id": "a", "selected_option": None}],
        ),
        view_submission(),
        view_submission(view=view(private_metadata="")),
        view_closed(),
        shortcut(),
        event_callback(),
        event_callback(event={"type": "subteam_updated", "subteam": {"id": "S1"}}),
        event_callback(event={"type": "user_change", "user": {"id": "U1"}}),
        {"type": "url_verification", "challenge": "abc", "token": "t"},
        {"type": "app_rate_limited", "minute_rate_limited": 1},
        {"ssl_check": "1", "token": "t"},
    ],
)
def test_what_slack_sends_passes(body: dict[str, Any]) -> None:
    check_shape(body)
    check_numbers(body)
    assert read_delivery(json.dumps(body), JSON) == body


@pytest.mark.parametrize("bad", BAD, ids=lambda bad: bad.id)
def test_what_slack_never_sends_is_refused(bad: Any) -> None:
    with pytest.raises(Malformed):
        check_numbers(bad.payload)
        check_shape(bad.payload)


@pytest.mark.parametrize(
    ("value", "refused"),
    [
        ({"a": [1, {"b": LARGEST_NUMBER}], "c": 1.5, "d": True}, False),
        ({"a": [1, {"b": LARGEST_NUMBER + 1}]}, True),
        ([{"x": -(10**40)}], True),
        ({"f": float("nan")}, True),
        ({"f": float("inf")}, True),
    ],
)
def test_numbers_parsed_elsewhere(value: Any, refused: bool) -> None:
    if refused:
        with pytest.raises(Malformed):
            check_numbers(value)
    else:
        check_numbers(value)


@pytest.mark.parametrize(
    ("value", "number"),
    [
        ("1", 1),
        ("42", 42),
        (7, 7),
        ("2147483647", 2**31 - 1),
        ("2147483648", None),
        ("9" * 40, None),
        (10**40, None),
        ("0", None),
        (-3, None),
        ("-3", None),
        ("+3", None),
        (" 3", None),
        ("3.0", None),
        ("٣", None),  # an Arabic-Indic three: a digit to str.isdigit, not to us
        ("", None),
        (None, None),
        (True, None),
        (3.0, None),
    ],
)
def test_a_record_number_read_back(value: Any, number: int | None) -> None:
    if number is None:
        with pytest.raises(Garbled):
            record_number(value, "a button")
    else:
        assert record_number(value, "a button") == number


@pytest.mark.parametrize(
    ("value", "decoded"),
    [
        ('{"p": "sms", "n": 2}', {"p": "sms", "n": 2}),
        ("{}", {}),
        ("[1]", None),
        ('"text"', None),
        ("{", None),
        ("", None),
        (None, None),
        (5, None),
    ],
)
def test_a_json_button_value_read_back(value: Any, decoded: dict | None) -> None:
    if decoded is None:
        with pytest.raises(Garbled):
            json_object(value, "a button")
    else:
        assert json_object(value, "a button") == decoded
