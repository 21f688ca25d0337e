"""Slack calls: group lookups cached per workspace, posts never repeated when their outcome
is unknown, reads retried after a dropped connection, one connection pool for the process."""

from __future__ import annotations

from decimal import Decimal

from bot.services.requests import Status
from bot.services.roles import Role, Subject, SubjectKind
from bot.slack.clients import web_client
from tests.slack.approvals import (
    APPROVALS,
    a_subaccount,
    buttons,
    card_text,
    click,
    latest_request,
    set_up_approvals,
    sms_account,
)
from tests.slack.harness import ADMIN, Harness, eventually, reply_text

GROUP = "S0APPROVERS"
IN_GROUP = ("UGROUP1", "UGROUP2")


async def approvers_by_group(h: Harness) -> None:
    await set_up_approvals(h)
    for n, user in enumerate(IN_GROUP, 1):
        h.fake.add_user(h.team_id, user, f"grouped{n}")
    h.fake.add_usergroup(h.team_id, GROUP, "money-people", list(IN_GROUP))
    await h.runtime.roles.grant(
        h.team_id, Role.APPROVER, Subject(SubjectKind.USERGROUP, GROUP), ADMIN
    )


async def status_of(h: Harness, request_id: int) -> Status:
    return (await h.runtime.requests.get(request_id)).status


async def ask_and_get_card(h: Harness, amount: str) -> tuple[int, object]:
    sub = a_subaccount(h)
    await h.ask(f"credit add {sub.email} {amount} burst")
    request = await latest_request(h)
    assert request.card_ts is not None
    return request.id, h.fake.find_message(APPROVALS, request.card_ts)


async def test_two_approvals_by_group_members_cost_one_group_lookup(slack: Harness) -> None:
    await approvers_by_group(slack)
    first, first_card = await ask_and_get_card(slack, "20")
    second, second_card = await ask_and_get_card(slack, "30")

    await click(slack, IN_GROUP[0], "request_approve", first_card)
    await eventually(lambda: status_of(slack, first), Status.SUCCEEDED)
    await click(slack, IN_GROUP[1], "request_approve", second_card)
    await eventually(lambda: status_of(slack, second), Status.SUCCEEDED)
    assert len(slack.fake.calls_to("usergroups.users.list")) == 1

    # Slack says the group changed: the next click looks it up again and sees the change.
    slack.fake.usergroups[GROUP].users = [IN_GROUP[1]]
    changed = await slack.driver.event(
        {"type": "subteam_members_changed", "subteam_id": GROUP, "team_id": slack.team_id},
        team_id=slack.team_id,
    )
    assert changed.status == 200
    third, third_card = await ask_and_get_card(slack, "40")
    delivery = await click(slack, IN_GROUP[0], "request_approve", third_card)
    refusal = await delivery.wait_response()
    assert "approver" in reply_text(refusal).lower()
    assert await status_of(slack, third) is Status.PENDING
    assert len(slack.fake.calls_to("usergroups.users.list")) == 2


async def test_a_card_whose_post_lost_its_answer_is_not_posted_twice(slack: Harness) -> None:
    await set_up_approvals(slack)
    sub = a_subaccount(slack)
    account = sms_account(slack)
    main = account.balance
    slack.fake.drop_connection("chat.postMessage")

    delivery = await slack.command(f"credit add {sub.email} 25 lost answer")
    await delivery.wait_response(count=2)
    said = "\n".join(reply_text(post) for post in delivery.responses())
    assert "may or may not be there" in said and "Cancel" in said
    posts = slack.fake.calls_to("chat.postMessage")
    assert len(posts) == 1 and posts[0].dropped
    [card] = [m for m in slack.fake.messages[APPROVALS] if m.ephemeral_to is None]
    request = await latest_request(slack)
    assert request.status is Status.PENDING and request.card_ts is None

    # The first click on the card tells where it is: from then on it is redrawn in place.
    await click(slack, "UAPPR1", "request_approve", card)
    await eventually(lambda: status_of(slack, request.id), Status.SUCCEEDED)
    assert account.balance == main - Decimal(25)
    assert (await slack.runtime.requests.get(request.id)).card_ts == card.ts
    await slack.fake.wait_for(
        lambda: "Done" in card_text(slack.fake.find_message(APPROVALS, card.ts))
    )
    assert buttons(slack.fake.find_message(APPROVALS, card.ts)) == []
    assert len([m for m in slack.fake.messages[APPROVALS] if m.ephemeral_to is None]) == 1


async def test_a_read_is_retried_after_a_dropped_connection(slack: Harness) -> None:
    """slack_sdk's connection-error retry is kept for calls that are safe to repeat."""
    slack.fake.drop_connection("users.info")
    text = reply_text(await slack.ask("alert channel", user=ADMIN))
    assert "will be posted in" in text
    infos = slack.fake.calls_to("users.info")
    # The membership check's was dropped and retried; the admin check reuses its answer.
    assert [c.dropped for c in infos] == [True, False]


async def test_slack_calls_share_one_connection_pool(slack: Harness) -> None:
    for _ in range(3):
        assert "will be posted in" in reply_text(await slack.ask("alert channel", user=ADMIN))
    calls = [c for c in slack.fake.calls if c.method in ("users.info", "conversations.info")]
    # Per command: users.info once (the membership check's answer serves the admin check),
    # conversations.info for the channel.
    assert [c.method for c in calls] == ["users.info", "conversations.info"] * 3
    # One keep-alive connection carried them all (slack_sdk alone opens one per call).
    assert len({c.connection for c in calls}) == 1
    assert web_client(slack.runtime).session is slack.runtime.slack_session
