"""Request numbers per workspace: `#1`, `#2`… in each, so an id shown in Slack (or carried in a
button) tells nobody how many requests other workspaces made, and a button from one
workspace's card clicked through another installation never reaches the first's request."""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import io
import json
from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
from sqlalchemy import select

from bot.db.models import AuditEntry, RequestNumbering
from bot.db.session import Database
from bot.partner.models import Product
from bot.services.policy import change_policy
from bot.services.requests import RequestSnapshot, Status
from bot.services.roles import Role, Subject, SubjectKind
from devkit.emulator import FakeSlack, Message
from devkit.sandbox import DEMO_SMS_KEY, Sandbox
from tests.conftest import SecretsGuard
from tests.slack.approvals import a_subaccount, buttons, card_text
from tests.slack.harness import (
    MANIFEST_SCOPE,
    Harness,
    eventually,
    reply_text,
    running_app,
    settings_for,
)
from tests.slack.modals import filled_modal
from tests.slack.test_workspaces import install_code

T1, T2 = "T0ONE", "T0TWO"
TOKENS = {T1: "xoxb-first-team-token-1a2b3c", T2: "xoxb-second-team-token-4d5e6f"}
GENERAL = {T1: "C0ONEGEN", T2: "C0TWOGEN"}
APPROVALS = {T1: "C0ONEAPPR", T2: "C0TWOAPPR"}
APPROVER = {T1: "UONEAPPR", T2: "UTWOAPPR"}
# Slack user ids are unique across workspaces: each has its own people.
MEMBERS = {T1: "UONEMEMBER", T2: "UTWOMEMBER"}
ADMINS = {T1: "UONEADMIN", T2: "UTWOADMIN"}


@pytest.fixture
async def teams(
    database: Database, fake_slack: FakeSlack, sandbox: Sandbox, secrets_guard: SecretsGuard
) -> AsyncIterator[tuple[Harness, Harness]]:
    """Two workspaces installed through OAuth, each with its approvals channel, an approver
    and the SMS key; one harness speaking as each."""
    secrets_guard.watch(list(TOKENS.values()))
    settings = settings_for(fake_slack, sandbox, database.url, many_workspaces=True)
    async with running_app(settings, fake_slack, sandbox) as harness:
        secrets_guard.watch(harness.secrets())
        for team, token in TOKENS.items():
            fake_slack.add_oauth_code(
                f"code-{team}",
                team_id=team,
                team_name=f"Company {team}",
                bot_token=token,
                authed_user_id=ADMINS[team],
                scope=MANIFEST_SCOPE,
            )
            fake_slack.add_user(team, ADMINS[team], "ada", real_name="Ada Admin", is_admin=True)
            fake_slack.add_user(team, MEMBERS[team], "max", real_name="Max Member")
            fake_slack.add_user(team, APPROVER[team], "appr", real_name="Approver")
            fake_slack.add_channel(team, GENERAL[team], "general")
            fake_slack.add_channel(team, APPROVALS[team], "approvals")
            await install_code(harness, f"code-{team}")
            runtime = harness.runtime
            admin = ADMINS[team]
            await runtime.keys.save(team, {Product.SMS: DEMO_SMS_KEY}, admin)
            await runtime.roles.grant(
                team, Role.APPROVER, Subject(SubjectKind.USER, APPROVER[team]), admin
            )
            await change_policy(runtime.database, team, admin, approvals_channel_id=APPROVALS[team])
        yield (
            dataclasses.replace(harness, team_id=T1),
            dataclasses.replace(harness, team_id=T2),
        )
        outbound = harness.outbound()
        assert not [t for t in TOKENS.values() if t in outbound]
        assert harness.block_kit_violations() == []


async def ask(h: Harness, text: str, user: str | None = None) -> str:
    user = user or MEMBERS[h.team_id]
    return reply_text(await h.ask(text, user=user, channel_id=GENERAL[h.team_id]))


async def requests_of(h: Harness) -> list[RequestSnapshot]:
    """The workspace's requests, oldest first."""
    return list(reversed(await h.runtime.requests.of_requester(h.team_id, MEMBERS[h.team_id])))


async def card(h: Harness, request: RequestSnapshot) -> Message:
    request = await h.runtime.requests.get(request.id)
    assert request.card_channel_id == APPROVALS[h.team_id] and request.card_ts
    found = h.fake.find_message(request.card_channel_id, request.card_ts)
    assert found is not None
    return found


def button_values(message: Message) -> list[str]:
    return [
        e.get("value", "") for b in message.blocks if b["type"] == "actions" for e in b["elements"]
    ]


async def test_each_workspace_numbers_its_requests_from_one(
    teams: tuple[Harness, Harness],
) -> None:
    one, two = teams
    email = a_subaccount(one).email
    # Interleaved, so the internal ids (1, 2, 3, 4) differ from the numbers.
    assert "Request #1 sent to" in await ask(one, f"credit add {email} 10 first")
    assert "Request #1 sent to" in await ask(two, f"credit add {email} 20 first")
    assert "Request #2 sent to" in await ask(two, f"credit add {email} 21 second")
    assert "Request #2 sent to" in await ask(one, f"credit add {email} 11 second")

    for h in teams:
        made = await requests_of(h)
        assert [r.number for r in made] == [1, 2]
        for request in made:
            shown = await card(h, request)
            assert f"request #{request.number}" in card_text(shown)
            assert set(button_values(shown)) == {str(request.number)}
    ids = sorted([r.id for r in await requests_of(one)] + [r.id for r in await requests_of(two)])
    assert ids == [1, 2, 3, 4]

    # Lists, the audit view and its export say the numbers too, never another id.
    mine = await ask(two, "requests")
    assert "#1" in mine and "#2" in mine and "#3" not in mine and "#4" not in mine
    audit = await ask(two, "audit", user=ADMINS[T2])
    assert "request #1" in audit and "request #2" in audit
    assert "#3" not in audit and "#4" not in audit
    sent = await ask(two, "audit export", user=ADMINS[T2])
    assert "direct message" in sent
    [export] = [f for f in two.fake.files if T2 in f.filename]
    rows = list(csv.DictReader(io.StringIO(export.content.decode())))
    assert {r["request"] for r in rows if r["action"] == "request_created"} == {"1", "2"}
    async with two.runtime.database.session() as session:
        counters = dict(
            (
                await session.execute(
                    select(RequestNumbering.team_id, RequestNumbering.last_number)
                )
            ).all()
        )
    assert counters == {T1: 2, T2: 2}


async def test_concurrent_requests_get_distinct_consecutive_numbers(
    teams: tuple[Harness, Harness],
) -> None:
    one, two = teams
    email = a_subaccount(one).email
    await ask(two, f"credit add {email} 5 elsewhere")  # T2's counter is not T1's
    # Different amounts: not "just like" one another, so each makes a request.
    answers = await asyncio.gather(
        *(ask(one, f"credit add {email} {10 + n} batch") for n in range(6))
    )
    assert all("sent to" in answer for answer in answers)
    made = await requests_of(one)
    assert sorted(r.number for r in made) == [1, 2, 3, 4, 5, 6]
    # Each requester was told the number of their own request.
    by_amount = {r.amount: r.number for r in made}
    for n, answer in enumerate(answers):
        assert f"Request #{by_amount[Decimal(10 + n)]} sent to" in answer
    assert [r.number for r in await requests_of(two)] == [1]


async def test_a_button_from_one_workspace_never_reaches_its_request_through_another(
    teams: tuple[Harness, Harness],
) -> None:
    one, two = teams
    email = a_subaccount(one).email
    await ask(one, f"credit add {email} 10 in one")
    [theirs] = await requests_of(one)
    their_card = await card(one, theirs)
    assert theirs.number == 1

    # T2 has no request #1: the click through T2's installation finds nothing.
    nothing = await two.driver.click(
        team_id=T2,
        user_id=APPROVER[T2],
        action_id="request_approve",
        message=their_card,
        channel_id=their_card.channel,
    )
    assert nothing.status == 200
    assert "#1" in reply_text(await nothing.wait_response())
    after = await one.runtime.requests.get(theirs.id)
    assert after.status is Status.PENDING and after.approvers == ()

    # Once T2 has its own #1, the same button acts on T2's #1, never on T1's.
    await ask(two, f"credit add {email} 30 in two")
    [ours] = await requests_of(two)
    assert ours.number == 1 and ours.id != theirs.id
    acted = await two.driver.click(
        team_id=T2,
        user_id=APPROVER[T2],
        action_id="request_approve",
        message=their_card,
        channel_id=their_card.channel,
    )
    assert acted.status == 200

    async def status_of_ours() -> Status:
        return (await two.runtime.requests.get(ours.id)).status

    await eventually(status_of_ours, Status.SUCCEEDED)
    after = await one.runtime.requests.get(theirs.id)
    assert after.status is Status.PENDING and after.approvers == ()
    assert after.card_ts == theirs.card_ts  # and T1's card was not taken as T2's
    async with one.runtime.database.session() as session:
        approvals = (
            await session.scalars(
                select(AuditEntry.team_id).where(AuditEntry.action == "approval_counted")
            )
        ).all()
    assert approvals == [T2]
    assert "request_approve" in buttons(await card(one, theirs))


async def test_the_similar_request_question_and_card_name_the_workspace_number(
    teams: tuple[Harness, Harness],
) -> None:
    one, two = teams
    email = a_subaccount(one).email
    await ask(one, f"credit add {email} 10 in one")
    await ask(two, f"credit add {email} 25 top-up")
    [first] = await requests_of(two)
    assert (first.id, first.number) == (2, 1)

    asked = await two.ask(f"credit add {email} 25 top-up", channel_id=GENERAL[T2], user=MEMBERS[T2])
    question = reply_text(asked)
    assert "You asked for the same thing" in question and "request #1 " in question
    assert "#2" not in question
    send = next(
        e
        for b in asked.body["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "request_confirm_similar"
    )
    assert json.loads(send["value"])["similar"] == 1
    clicked = await two.driver.click(
        team_id=T2,
        user_id=MEMBERS[T2],
        action_id="request_confirm_similar",
        value=send["value"],
        response_url=asked.url,
    )
    assert "Request #2 sent to" in reply_text(await clicked.wait_response(count=3))
    second = (await requests_of(two))[-1]
    assert second.number == 2 and second.similar_to == first.id
    assert "Similar to request #1," in card_text(await card(two, second))
    audit = await ask(two, "audit", user=ADMINS[T2])
    assert "#1" in audit and "#3" not in audit


async def test_a_reject_modal_names_the_number_and_rejects_within_its_workspace(
    teams: tuple[Harness, Harness],
) -> None:
    one, two = teams
    email = a_subaccount(one).email
    await ask(one, f"credit add {email} 10 in one")
    await ask(two, f"credit add {email} 30 in two")
    [ours] = await requests_of(two)
    assert (ours.id, ours.number) == (2, 1)
    await two.driver.click(
        team_id=T2,
        user_id=APPROVER[T2],
        action_id="request_reject",
        message=await card(two, ours),
        channel_id=APPROVALS[T2],
    )
    modal = await filled_modal(two.fake, APPROVER[T2], "reason")
    assert json.loads(modal.view["private_metadata"])["request"] == 1
    assert "#1" in modal.view["title"]["text"]
    submitted = await two.driver.submit_view(
        modal, team_id=T2, user_id=APPROVER[T2], values={"reason": {"reason": "not now"}}
    )
    assert submitted.status == 200

    async def status_of_ours() -> Status:
        return (await two.runtime.requests.get(ours.id)).status

    await eventually(status_of_ours, Status.REJECTED)
    [theirs] = await requests_of(one)
    assert theirs.status is Status.PENDING
