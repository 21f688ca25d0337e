"""Signed deliveries Slack would never send are refused at the door, over HTTP and Socket Mode:
a 400 (an empty ack over the socket) and one WARNING line, never a 500, a traceback, or any
part of the work done. A value this app minted that comes back garbled (a 40-digit request
number in a button) gets a plain answer and a WARNING, not a bug's reference."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time

import pytest

from bot.db.session import Database
from bot.runtime import Runtime
from bot.serve import socket_mode
from devkit.emulator import FakeSlack, SlackDriver
from devkit.sandbox import Sandbox
from tests.conftest import SecretsGuard
from tests.slack.barriers import app_settled
from tests.slack.harness import (
    ADMIN,
    MEMBER,
    SIGNING_SECRET,
    TEAM,
    Harness,
    reply_text,
    settings_for,
)
from tests.slack.malformed import BAD, BAD_HTTP_ONLY, Bad, command, view, view_submission

APP_TOKEN = "xapp-1-test-app-token-4e5f6a"
GARBLED = "carried data Partner Ops did not make"


def warnings_and_worse(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.WARNING]


def no_traceback(caplog: pytest.LogCaptureFixture, guard: SecretsGuard) -> None:
    assert not any("Traceback" in line for line in guard.lines)
    assert not any(r.exc_info for r in caplog.records)
    assert not any(r.levelno >= logging.ERROR for r in caplog.records)


@pytest.mark.parametrize("bad", BAD + BAD_HTTP_ONLY, ids=lambda bad: bad.id)
async def test_a_signed_malformed_delivery_gets_a_400_and_one_warning(
    slack: Harness, secrets_guard: SecretsGuard, caplog: pytest.LogCaptureFixture, bad: Bad
) -> None:
    calls_before = len(slack.fake.calls)
    body, content_type = bad.http()
    headers = {"Content-Type": content_type, **slack.driver.sign(body, int(time.time()))}
    caplog.clear()
    answer = await slack.driver.post_raw(body.encode(), headers)
    assert (answer.status, answer.json) == (400, {"error": "malformed request"})
    [warning] = warnings_and_worse(caplog)
    assert warning.getMessage().startswith("refused a signed request to /slack/events: ")
    no_traceback(caplog, secrets_guard)
    await app_settled(slack)  # nothing was started, so nothing can still land
    assert len(slack.fake.calls) == calls_before
    assert slack.fake.responses == [] and slack.sandbox.journal == []


@pytest.mark.parametrize("fault", ["six-minutes-old", "tampered", "unsigned", "forged"])
async def test_a_malformed_delivery_not_signed_by_slack_is_a_401(
    slack: Harness, secrets_guard: SecretsGuard, caplog: pytest.LogCaptureFixture, fault: str
) -> None:
    body, content_type = BAD[0].http()
    now = int(time.time())
    headers = slack.driver.sign(body, now - 6 * 60 if fault == "six-minutes-old" else now)
    if fault == "tampered":
        body += "%20"  # changed on the way
    elif fault == "unsigned":
        headers = {}
    elif fault == "forged":
        headers["X-Slack-Signature"] = "v0=" + "é" * 64
    answer = await slack.driver.post_raw(body.encode(), {"Content-Type": content_type, **headers})
    assert answer.status == 401
    assert warnings_and_worse(caplog) == []
    no_traceback(caplog, secrets_guard)


async def test_a_signed_body_that_is_not_utf8_gets_a_400(
    slack: Harness, secrets_guard: SecretsGuard, caplog: pytest.LogCaptureFixture
) -> None:
    sent = b"command=%2Fpartner&text=caf\xe9"
    timestamp = str(int(time.time()))
    signature = (
        "v0="
        + hmac.new(
            SIGNING_SECRET.encode(), b"v0:" + timestamp.encode() + b":" + sent, hashlib.sha256
        ).hexdigest()
    )
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": signature,
    }
    answer = await slack.driver.post_raw(sent, headers)
    assert answer.status == 400
    [warning] = warnings_and_worse(caplog)
    assert warning.getMessage().endswith(": body is not UTF-8")
    no_traceback(caplog, secrets_guard)


@pytest.mark.parametrize("timestamp", ["", "soon", "1e9", "١٧٠٠٠٠٠٠٠٠", "9" * 40])
@pytest.mark.parametrize("shape", ["well-formed", "malformed"])
async def test_an_unreadable_signature_timestamp_is_a_401(
    slack: Harness,
    secrets_guard: SecretsGuard,
    caplog: pytest.LogCaptureFixture,
    timestamp: str,
    shape: str,
) -> None:
    body, content_type = (
        Bad("help", "slash_commands", command()) if shape == "well-formed" else BAD[0]
    ).http()
    headers = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": slack.driver.sign(body, int(time.time()))["X-Slack-Signature"],
    }
    answer = await slack.driver.post_raw(body.encode(), headers)
    assert answer.status == 401
    no_traceback(caplog, secrets_guard)


async def test_the_same_deliveries_over_socket_mode_are_acked_empty_with_a_warning(
    database: Database,
    fake_slack: FakeSlack,
    sandbox: Sandbox,
    secrets_guard: SecretsGuard,
    caplog: pytest.LogCaptureFixture,
) -> None:
    secrets_guard.watch([APP_TOKEN, *sandbox.secrets()])
    fake_slack.add_app_token(APP_TOKEN)
    settings = settings_for(fake_slack, sandbox, database.url, slack_app_token=APP_TOKEN)
    runtime = await Runtime.start(settings, migrate=False)
    try:
        async with socket_mode(runtime, "127.0.0.1", 0, scheduler=False):
            connection = await fake_slack.wait_socket_connected()
            calls_before = len(fake_slack.calls)
            # Socket Mode only: a payload that is no object at all.
            cases = [*BAD, Bad("payload-a-string", "slash_commands", "help")]
            wrong: list[str] = []
            for bad in cases:
                caplog.clear()
                envelope = await connection.send(bad.envelope, bad.payload)
                warnings = [r.getMessage() for r in warnings_and_worse(caplog)]
                if not (
                    envelope.acked
                    and envelope.ack_payload is None
                    and len(warnings) == 1
                    and warnings[0].startswith(f"refused a Socket Mode envelope ({bad.envelope}): ")
                ):
                    wrong.append(f"{bad.id}: acked={envelope.acked} {warnings}")
            assert wrong == []
            no_traceback(caplog, secrets_guard)
            assert len(runtime.inflight) == 0  # nothing was started
            assert len(fake_slack.calls) == calls_before and fake_slack.responses == []
            # The door still opens for what Slack does send.
            async with SlackDriver(
                fake_slack, app_url="", signing_secret="", transport="socket"
            ) as driver:
                delivery = await driver.command("sms balance", team_id=TEAM, user_id=MEMBER)
                assert "€10,225.119" in (await delivery.wait_response()).body["text"]
    finally:
        await runtime.close()


# --- garbled values of this app's own making -------------------------------------------------


@pytest.mark.parametrize(
    ("action_id", "value", "what"),
    [
        ("request_approve", "9" * 40, "a request button"),
        ("request_cancel", "0", "a request button"),
        ("request_confirm_similar", '{"a": "credit_add", "p": "sms", "similar": "x"}', "similar"),
        ("setting_change_confirm", "2147483648", "a setting change button"),
        ("subaccounts_page_2", "page two", "a page button"),
        ("alert_snooze", "[1]", "an alert button"),
        ("alert_topup", "{", "an alert button"),
        ("home_edit_setting", "everything", "a Home setting"),
    ],
)
async def test_a_button_value_this_app_did_not_make_gets_a_plain_answer(
    slack: Harness,
    secrets_guard: SecretsGuard,
    caplog: pytest.LogCaptureFixture,
    action_id: str,
    value: str,
    what: str,
) -> None:
    click = await slack.driver.click(
        team_id=slack.team_id, user_id=ADMIN, action_id=action_id, value=value
    )
    assert click.status == 200
    if action_id == "home_edit_setting":
        # The Home's Change button opens its modal first: the answer is in that modal.
        await slack.fake.wait_for(
            lambda: [
                c
                for c in slack.fake.calls
                if c.method == "views.update" and GARBLED in json.dumps(c.args.get("view"))
            ]
        )
    else:
        post = await click.wait_response()
        assert post.body["response_type"] == "ephemeral" and GARBLED in reply_text(post)
    await app_settled(slack)
    no_traceback(caplog, secrets_guard)
    assert any(
        r.levelno == logging.WARNING and what in r.getMessage() and "did not make" in r.getMessage()
        for r in caplog.records
    )
    assert slack.sandbox.journal == []


async def test_a_rejection_form_naming_a_request_number_too_large_is_refused_in_the_form(
    slack: Harness, secrets_guard: SecretsGuard, caplog: pytest.LogCaptureFixture
) -> None:
    payload = view_submission(view=view(private_metadata=json.dumps({"request": 2**40})))
    body, content_type = Bad("reject", "interactive", payload).http()
    headers = {"Content-Type": content_type, **slack.driver.sign(body, int(time.time()))}
    answer = await slack.driver.post_raw(body.encode(), headers)
    assert answer.status == 200 and answer.json["response_action"] == "update"
    assert GARBLED in json.dumps(answer.json["view"])
    await app_settled(slack)
    no_traceback(caplog, secrets_guard)
    assert slack.sandbox.journal == []


def test_the_table_is_wide_enough() -> None:
    assert len({bad.id for bad in BAD}) == len(BAD) >= 25
