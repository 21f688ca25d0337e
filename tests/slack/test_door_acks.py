"""Commands and clicks acknowledged at the door (bot.slack.door_acks): Slack has its 200 before
Bolt reads the request, Bolt runs the same listeners after, and what Bolt would have put in
the ack reaches the person through the response_url."""

from __future__ import annotations

import logging

import pytest

from tests.slack.barriers import app_settled
from tests.slack.harness import MEMBER, Harness
from tests.slack.test_workspaces import NEW_ADMIN, NEW_TEAM, install


async def test_a_command_is_acknowledged_before_bolt_authorises_it(multi: Harness) -> None:
    await install(multi)
    # Bolt's authorisation of a workspace's first request asks Slack auth.test: held, Bolt
    # could not ack before the 3 s Slack waits.
    gate = multi.fake.hold("auth.test")
    delivery = await multi.driver.command("help", team_id=NEW_TEAM, user_id=NEW_ADMIN)
    assert (delivery.status, delivery.body, delivery.late) == (200, "", False)
    await gate.held()  # Bolt is at it now, after the ack
    assert delivery.responses() == []
    gate.release()
    reply = await delivery.wait_response()
    assert "/partner" in (reply.text or "") + str(reply.blocks)


async def test_a_click_is_acknowledged_before_bolt_authorises_it(multi: Harness) -> None:
    await install(multi)
    gate = multi.fake.hold("auth.test")
    click = await multi.driver.click(
        team_id=NEW_TEAM,
        user_id=NEW_ADMIN,
        action_id="request_approve",
        value="424242",
        channel_id="C0NEWGEN",
    )
    assert (click.status, click.body, click.late) == (200, "", False)
    await gate.held()
    assert multi.fake.calls_to("users.info") == []  # no listener has run
    gate.release()
    # The listener ran after all: the person is told the request is not there.
    answer = await click.wait_response()
    assert answer.response_type == "ephemeral" and answer.text


async def test_bolts_answer_to_a_command_from_a_gone_workspace_is_posted_where_slack_shows_it(
    multi: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """Bolt answers in the ack only a command it will not run (here: no installation); the
    door had answered already, so the line goes to the response_url, as Slack shows an ack's
    text: an ephemeral message, once."""
    with caplog.at_level(logging.INFO):
        delivery = await multi.driver.command("balance", team_id="T0NEVER", user_id="U0NEVER")
        line = await delivery.wait_response()
        await app_settled(multi)
    assert (delivery.status, delivery.body) == (200, "")
    assert line.response_type == "ephemeral"
    assert "not installed" in (line.text or "")
    assert len(delivery.responses()) == 1
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_a_click_bolt_has_no_listener_for_is_answered_as_a_bug(
    slack: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """Bolt answers a click no listener takes with a 404, which Slack would have shown as a
    failure; the door said 200 already, so the person is told, with the reference the error
    is logged under."""
    with caplog.at_level(logging.INFO):
        click = await slack.driver.click(
            team_id=slack.team_id, user_id=MEMBER, action_id="no_listener_for_this", value="1"
        )
        told = await click.wait_response()
    assert (click.status, click.body) == (200, "")
    [error] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    reference = error.getMessage().split("reference ")[1].rstrip(")")
    assert told.response_type == "ephemeral" and reference in (told.text or str(told.blocks))
