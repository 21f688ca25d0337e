"""What escapes a listener is answered to the person, never silence or a trace; a request Bolt
cannot parse is refused with a 400 (a 401 unsigned); no log line quotes a request body."""

from __future__ import annotations

import json
import re
import time
from urllib.parse import urlencode

import pytest

from devkit.sandbox import DEMO_SMS_KEY
from tests.conftest import SecretsGuard
from tests.slack.harness import ADMIN, MEMBER, Harness, reply_text
from tests.slack.modals import filled_modal, modal_saying, modal_text

BUG = "Something went wrong on our side"


def reference_in(text: str) -> str:
    found = re.search(r"reference `([0-9a-f]+)`", text)
    assert found, f"no reference in {text!r}"
    return found.group(1)


def logged_with_traceback(guard: SecretsGuard, reference: str) -> bool:
    return any(reference in line and "Traceback" in line for line in guard.lines)


async def test_an_amount_too_long_to_handle_gets_an_answer(slack: Harness) -> None:
    delivery = await slack.command("credit add someone@example.org 12345678901234567890123456")
    assert slack.late_acks() == []  # acknowledged: Slack saw no timeout and no 404
    post = await delivery.wait_response()
    assert post.body["response_type"] == "ephemeral" and reply_text(post).strip()
    assert "Traceback" not in reply_text(post)


async def test_a_failing_slack_call_in_a_command_gets_a_reference(
    slack: Harness, secrets_guard: SecretsGuard
) -> None:
    slack.fake.fail("users.info", "fatal_error")  # `digest preview` reads the asker's zone
    delivery = await slack.command("digest preview")
    assert delivery.status == 200 and slack.late_acks() == []
    post = await delivery.wait_response()
    text = reply_text(post)
    assert post.body["response_type"] == "ephemeral" and BUG in text
    assert "Traceback" not in text and "fatal_error" not in text
    assert logged_with_traceback(secrets_guard, reference_in(text))


async def test_a_click_that_fails_gets_an_ephemeral_answer(
    slack: Harness, secrets_guard: SecretsGuard
) -> None:
    # A Snooze button from an alert about a product this version does not know.
    click = await slack.driver.click(
        team_id=slack.team_id,
        user_id=MEMBER,
        action_id="alert_snooze",
        value=json.dumps({"p": "fax", "s": "x"}),
    )
    assert click.status == 200 and slack.late_acks() == []
    post = await click.wait_response()
    assert post.body["response_type"] == "ephemeral" and BUG in reply_text(post)
    assert logged_with_traceback(secrets_guard, reference_in(reply_text(post)))


async def test_a_failure_behind_an_open_modal_is_shown_in_it(slack_unconfigured: Harness) -> None:
    slack = slack_unconfigured
    slack.fake.fail("users.info", "fatal_error")  # the admin check, after the modal opened
    await slack.command("setup", user=ADMIN)
    shown = await modal_saying(slack.fake, ADMIN, BUG)
    assert "Loading" not in modal_text(shown)


async def test_a_failure_after_a_submission_is_shown_in_the_modal(
    slack_unconfigured: Harness,
) -> None:
    slack = slack_unconfigured
    await slack.command("setup", user=ADMIN)
    modal = await filled_modal(slack.fake, ADMIN, "key_sms")
    slack.fake.fail("users.info", "fatal_error")  # the admin check, after the ack
    delivery = await slack.driver.submit_view(
        modal, team_id=slack.team_id, user_id=ADMIN, values={"key_sms": {"api_key": DEMO_SMS_KEY}}
    )
    assert delivery.json["response_action"] == "update"
    await slack.fake.wait_for(lambda: BUG in modal_text(slack.fake.views[modal.id]))
    assert slack.sandbox.calls() == []


# --- requests Bolt cannot parse ------------------------------------------------------------


def interaction(payload: str) -> str:
    return urlencode({"payload": payload})


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (interaction("{not json"), "application/x-www-form-urlencoded"),
        (interaction("[1, 2]"), "application/x-www-form-urlencoded"),
        (interaction('{"user": {"id": "U1"}}'), "application/x-www-form-urlencoded"),
        ("[1, 2]", "application/json"),
        ("{broken", "application/json"),
    ],
    ids=["not-json", "not-an-object", "no-type", "json-array", "broken-json"],
)
async def test_a_signed_malformed_request_gets_a_400_without_a_traceback(
    slack: Harness, secrets_guard: SecretsGuard, body: str, content_type: str
) -> None:
    headers = {"Content-Type": content_type, **slack.driver.sign(body, int(time.time()))}
    answer = await slack.driver.post_raw(body.encode(), headers)
    assert answer.status == 400
    assert not any("Traceback" in line for line in secrets_guard.lines)
    assert any("refused a signed request" in line for line in secrets_guard.lines)


async def test_an_unsigned_malformed_request_is_still_a_401(slack: Harness) -> None:
    body = interaction("{not json")
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": str(int(time.time())),
        "X-Slack-Signature": "v0=" + "0" * 64,
    }
    answer = await slack.driver.post_raw(body.encode(), headers)
    assert answer.status == 401


# --- logs ----------------------------------------------------------------------------------


async def test_a_stale_setup_submission_does_not_log_the_typed_key(
    slack_unconfigured: Harness, secrets_guard: SecretsGuard
) -> None:
    """A clock 6 minutes off fails the signature check; Bolt logs that line at INFO, which
    used to quote the whole body — with the Partner API key typed in the setup form."""
    typed_key = "typed-partner-key-7f3e9a1c5b2d"
    secrets_guard.watch([typed_key])
    payload = {
        "type": "view_submission",
        "team": {"id": "T0TEST", "domain": "test"},
        "user": {"id": ADMIN, "team_id": "T0TEST"},
        "api_app_id": "AAPP",
        "trigger_id": "1.2.3",
        "view": {
            "id": "V0STALE",
            "type": "modal",
            "callback_id": "partner_setup",
            "state": {
                "values": {"key_sms": {"api_key": {"type": "plain_text_input", "value": typed_key}}}
            },
        },
    }
    body = interaction(json.dumps(payload))
    assert typed_key in body  # as it would appear in a body quoted by a log line
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        **slack_unconfigured.driver.sign(body, int(time.time()) - 6 * 60),
    }
    answer = await slack_unconfigured.driver.post_raw(body.encode(), headers)
    assert answer.status == 401
    assert any("Invalid request signature" in line for line in secrets_guard.lines)
    assert secrets_guard.leaks() == []  # and the autouse guard checks again at teardown
