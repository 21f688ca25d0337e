"""Reminders and escalation of waiting requests, end to end with a simulated clock: the
policy command, the DMs and the card's thread lines, once per interval across two processes,
and nothing once the request is decided."""

from __future__ import annotations

import asyncio
from datetime import UTC, timedelta
from decimal import Decimal

import time_machine
from sqlalchemy import select

from bot.clock import utcnow
from bot.db.models import AuditEntry
from bot.services.requests import Status
from bot.services.requests.store import NUDGE_LEASE
from bot.services.roles import Role, Subject, SubjectKind
from bot.slack.clients import WorkspaceClients
from bot.slack.maintenance import Maintenance
from tests.slack.approvals import (
    APPROVALS,
    APPROVERS,
    a_subaccount,
    card_of,
    dms_to,
    latest_request,
    set_up_approvals,
)
from tests.slack.harness import ADMIN, MEMBER, Harness, reply_text

LEADS = "S0LEADS"
LEAD = "ULEAD"


async def two_processes(h: Harness) -> None:
    """Maintenance in two processes at once: each reminder is claimed by one."""
    await asyncio.gather(
        *(Maintenance(h.runtime, WorkspaceClients(h.runtime, None)).run_once() for _ in range(2))
    )


def reminders_to(h: Harness, user: str) -> list[str]:
    return [t for t in dms_to(h, user) if t.startswith(":alarm_clock:")]


def escalations_to(h: Harness, user: str) -> list[str]:
    return [t for t in dms_to(h, user) if t.startswith(":rotating_light:")]


def thread_of(h: Harness, ts: str) -> list[str]:
    return [m.text for m in h.fake.messages.get(APPROVALS, []) if m.thread_ts == ts]


async def test_reminded_each_interval_escalated_once_then_silent_once_decided(
    slack: Harness,
) -> None:
    await set_up_approvals(slack)
    slack.fake.add_user(slack.team_id, LEAD, "lead")
    slack.fake.add_usergroup(slack.team_id, LEADS, "leads", [LEAD, ADMIN])
    await slack.runtime.roles.grant(
        slack.team_id, Role.ADMIN, Subject(SubjectKind.USERGROUP, LEADS), ADMIN
    )
    assert "Only Partner Ops admins" in reply_text(await slack.ask("policy remind 2h"))
    assert "between 1 and 336" in reply_text(await slack.ask("policy remind 0", user=ADMIN))
    shown = reply_text(await slack.ask("policy remind 2h", user=ADMIN))
    assert "Reminders" in shown and "every 2 h" in shown
    shown = reply_text(await slack.ask("règles escalade 5", user=ADMIN))
    assert "Escalation" in shown and "after 5 h is brought to the admins" in shown
    assert "every 2 h" in reply_text(await slack.ask("policy"))  # anyone may read it

    await slack.ask(f"credit add {a_subaccount(slack).email} 40 float", user=MEMBER)
    request = await latest_request(slack)
    assert request.status is Status.PENDING
    card = await card_of(slack, request.id)

    with time_machine.travel(request.created_at.replace(tzinfo=UTC), tick=False) as clock:
        clock.shift(timedelta(hours=1, minutes=59))
        await two_processes(slack)
        assert [reminders_to(slack, a) for a in APPROVERS] == [[], [], []]

        clock.shift(timedelta(minutes=2))  # 2 h: the first reminder, once
        await two_processes(slack)
        await two_processes(slack)
        for approver in APPROVERS:
            [reminder] = reminders_to(slack, approver)
            assert f"Request #{request.number}" in reminder and f"<@{MEMBER}>" in reminder
            assert "2 hours" in reminder and f"<#{APPROVALS}>" in reminder
        assert reminders_to(slack, MEMBER) == []  # the requester is not reminded
        assert len(thread_of(slack, card.ts)) == 1

        clock.shift(timedelta(hours=2))  # 4 h: the second
        await two_processes(slack)
        assert [len(reminders_to(slack, a)) for a in APPROVERS] == [2, 2, 2]
        assert escalations_to(slack, LEAD) == []

        clock.shift(timedelta(hours=1))  # 5 h: brought to the admins, once
        await two_processes(slack)
        await two_processes(slack)
        for admin in (LEAD, ADMIN):
            [escalated] = escalations_to(slack, admin)
            assert f"Request #{request.number}" in escalated and "5 hours" in escalated
        thread = thread_of(slack, card.ts)
        assert len(thread) == 3 and "brought to the admins" in thread[-1]

    # Decided: no reminder any more, however long it waited.
    first = APPROVERS[0]
    assert f"#{request.number}" in reply_text(
        await slack.ask(f"approve {request.number}", user=first)
    )
    assert (await slack.runtime.requests.get(request.id)).status is not Status.PENDING
    with time_machine.travel(request.created_at.replace(tzinfo=UTC), tick=False) as clock:
        clock.shift(timedelta(hours=10))
        await two_processes(slack)
    assert [len(reminders_to(slack, a)) for a in APPROVERS] == [2, 2, 2]
    assert len(thread_of(slack, card.ts)) == 3

    async with slack.runtime.database.session() as session:
        changed = (
            await session.scalars(
                select(AuditEntry.details).where(AuditEntry.action == "policy_changed")
            )
        ).all()
    assert {d["setting"] for d in changed} >= {"remind_hours", "escalate_hours"}


async def test_off_stops_reminders_and_an_expired_request_gets_none(slack: Harness) -> None:
    await set_up_approvals(slack)
    late = reply_text(await slack.ask("policy remind 30", user=ADMIN))
    assert "expire after 24 h, before the first reminder at 30 h" in late  # said, not silent
    await slack.ask("policy remind 1", user=ADMIN)
    assert "off" in reply_text(await slack.ask("policy remind off", user=ADMIN))
    await slack.ask(f"credit add {a_subaccount(slack).email} 40", user=MEMBER)
    request = await latest_request(slack)
    with time_machine.travel(utcnow().replace(tzinfo=UTC), tick=False) as clock:
        clock.shift(timedelta(hours=3))
        await two_processes(slack)
    assert [reminders_to(slack, a) for a in APPROVERS] == [[], [], []]

    await slack.ask("règles rappel 1h", user=ADMIN)
    with time_machine.travel(request.expires_at.replace(tzinfo=UTC), tick=False) as clock:
        clock.shift(timedelta(minutes=1))
        await two_processes(slack)  # expires it first: no reminder for an expired request
    assert (await slack.runtime.requests.get(request.id)).status is Status.EXPIRED
    assert [reminders_to(slack, a) for a in APPROVERS] == [[], [], []]


async def one_process(h: Harness) -> None:
    await Maintenance(h.runtime, WorkspaceClients(h.runtime, None)).run_once()


async def test_no_admin_added_escalates_to_the_owners_in_their_language(slack: Harness) -> None:
    """Nobody was added as admin but the requester: the workspace's owners hear of it (each in
    their language), not the requester, not a deactivated owner."""
    await set_up_approvals(slack)
    team = slack.team_id
    slack.fake.add_user(team, "UOWNER", "olga", is_owner=True, locale="fr-FR")
    slack.fake.add_user(team, "UPRIMARY", "paul", is_primary_owner=True)
    slack.fake.add_user(team, "UOLDOWNER", "gone", is_owner=True, deleted=True)
    await slack.runtime.roles.grant(team, Role.ADMIN, Subject(SubjectKind.USER, MEMBER), ADMIN)
    await slack.ask("policy escalate 3", user=ADMIN)
    await slack.ask(f"credit add {a_subaccount(slack).email} 40", user=MEMBER)
    request = await latest_request(slack)
    with time_machine.travel(request.created_at.replace(tzinfo=UTC), tick=False) as clock:
        clock.shift(timedelta(hours=3))
        await one_process(slack)
        await one_process(slack)
    [primary] = escalations_to(slack, "UPRIMARY")
    assert f"Request #{request.number}" in primary and "3 hours" in primary
    [owner] = escalations_to(slack, "UOWNER")
    assert f"La demande n°\u00a0{request.number}" in owner and "depuis 3 heures" in owner
    assert escalations_to(slack, MEMBER) == [] and escalations_to(slack, "UOLDOWNER") == []
    assert escalations_to(slack, ADMIN) == []  # a Slack admin, not an owner: not told
    assert [reminders_to(slack, a) for a in APPROVERS] == [[], [], []]  # reminders are off


async def test_who_already_approved_is_not_reminded(slack: Harness) -> None:
    await set_up_approvals(slack, two_approver_threshold=Decimal(10))
    await slack.ask("policy remind 1", user=ADMIN)
    await slack.ask(f"credit add {a_subaccount(slack).email} 40", user=MEMBER)
    request = await latest_request(slack)
    first, *others = APPROVERS
    await slack.ask(f"approve {request.number}", user=first)
    request = await slack.runtime.requests.get(request.id)
    assert request.status is Status.PENDING and request.approvers == (first,)
    with time_machine.travel(request.created_at.replace(tzinfo=UTC), tick=False) as clock:
        clock.shift(timedelta(hours=1))
        await one_process(slack)
    assert reminders_to(slack, first) == []
    assert [len(reminders_to(slack, a)) for a in others] == [1, 1]


async def test_a_reminder_slack_refused_everywhere_is_sent_on_the_next_pass(
    slack: Harness,
) -> None:
    await set_up_approvals(slack)
    await slack.ask("policy remind 2", user=ADMIN)
    await slack.ask(f"credit add {a_subaccount(slack).email} 40", user=MEMBER)
    request = await latest_request(slack)
    card = await card_of(slack, request.id)
    # The card's thread line and the three DMs: every post refused once.
    slack.fake.fail("chat.postMessage", "fatal_error", times=1 + len(APPROVERS))
    with time_machine.travel(request.created_at.replace(tzinfo=UTC), tick=False) as clock:
        clock.shift(timedelta(hours=2))
        await one_process(slack)
        assert [reminders_to(slack, a) for a in APPROVERS] == [[], [], []]
        await one_process(slack)  # the same interval: released, so sent now, once
        await one_process(slack)
    assert [len(reminders_to(slack, a)) for a in APPROVERS] == [1, 1, 1]
    assert len(thread_of(slack, card.ts)) == 1


async def test_an_escalation_is_sent_later_when_the_owners_cannot_be_listed(
    slack: Harness,
) -> None:
    await set_up_approvals(slack)
    slack.fake.add_user(slack.team_id, "UPRIMARY", "paul", is_primary_owner=True)
    await slack.ask("policy escalate 1", user=ADMIN)
    await slack.ask(f"credit add {a_subaccount(slack).email} 40", user=MEMBER)
    request = await latest_request(slack)
    card = await card_of(slack, request.id)
    slack.fake.fail("users.list", "ratelimited")
    with time_machine.travel(request.created_at.replace(tzinfo=UTC), tick=False) as clock:
        clock.shift(timedelta(hours=1))
        await one_process(slack)
        assert escalations_to(slack, "UPRIMARY") == [] and thread_of(slack, card.ts) == []
        await one_process(slack)
        await one_process(slack)
    assert len(escalations_to(slack, "UPRIMARY")) == 1
    assert len(thread_of(slack, card.ts)) == 1


async def test_a_cancelled_request_is_neither_reminded_nor_escalated(slack: Harness) -> None:
    await set_up_approvals(slack)
    slack.fake.add_user(slack.team_id, "UPRIMARY", "paul", is_primary_owner=True)
    await slack.ask("policy remind 1", user=ADMIN)
    await slack.ask("policy escalate 2", user=ADMIN)
    delivery = await slack.command(f"credit add {a_subaccount(slack).email} 10")
    post = await delivery.wait_response()
    [cancel] = [e for b in post.body["blocks"] if b["type"] == "actions" for e in b["elements"]]
    await slack.driver.click(
        team_id=slack.team_id,
        user_id=MEMBER,
        action_id=cancel["action_id"],
        value=cancel["value"],
        response_url=delivery.response_url,
    )
    await delivery.wait_response(count=2)
    request = await latest_request(slack)
    assert request.status is Status.CANCELLED
    # A process that listed it as waiting just before the cancel cannot claim it any more.
    store = slack.runtime.requests.store
    later = request.created_at + timedelta(hours=3)
    assert not await store.claim_reminder(request.id, None, later)
    assert not await store.claim_escalation(request.id, later)
    with time_machine.travel(request.created_at.replace(tzinfo=UTC), tick=False) as clock:
        clock.shift(timedelta(hours=3))
        await one_process(slack)
    assert [reminders_to(slack, a) for a in APPROVERS] == [[], [], []]
    assert escalations_to(slack, "UPRIMARY") == []


async def test_a_reminder_a_killed_process_claimed_is_sent_when_its_lease_runs_out(
    slack: Harness,
) -> None:
    await set_up_approvals(slack)
    await slack.ask("policy remind 2", user=ADMIN)
    await slack.ask("policy escalate 2", user=ADMIN)
    slack.fake.add_user(slack.team_id, "UPRIMARY", "paul", is_primary_owner=True)
    await slack.ask(f"credit add {a_subaccount(slack).email} 40", user=MEMBER)
    request = await latest_request(slack)
    card = await card_of(slack, request.id)
    with time_machine.travel(request.created_at.replace(tzinfo=UTC), tick=False) as clock:
        clock.shift(timedelta(hours=2))
        # A process claims the escalation, then is killed before telling anyone.
        [claimed] = await slack.runtime.requests.nudges_due()
        assert claimed.nudge.value == "escalate"
        await two_processes(slack)  # the lease holds: nobody else sends it meanwhile
        assert escalations_to(slack, "UPRIMARY") == [] and thread_of(slack, card.ts) == []
        clock.shift(NUDGE_LEASE)
        await two_processes(slack)  # the lease ran out: escalated, once
        await two_processes(slack)  # and the approvers reminded, on the next pass
        await two_processes(slack)
    assert len(escalations_to(slack, "UPRIMARY")) == 1
    assert [len(reminders_to(slack, a)) for a in APPROVERS] == [1, 1, 1]
    assert len(thread_of(slack, card.ts)) == 2
