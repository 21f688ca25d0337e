"""Settings under four eyes, end to end: a change that loosens money control waits for an
approver other than the asker; a change that tightens applies at once; both are announced."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from bot.clock import utcnow
from bot.db.models import SettingChange, WorkspacePartnerKey
from bot.partner.models import Product
from bot.services import audit
from bot.services.policy import Policy, get_policy
from bot.services.roles import Role, Subject, SubjectKind
from bot.services.settings_changes import Status
from bot.slack.clients import WorkspaceClients
from bot.slack.maintenance import Maintenance
from devkit.emulator import Message
from devkit.sandbox import DEMO_SMS_KEY
from tests.conftest import SecretsGuard
from tests.services.request_world import People
from tests.slack.approvals import (
    APPROVALS,
    APPROVERS,
    buttons,
    card_text,
    click,
    dms_to,
    set_up_approvals,
)
from tests.slack.harness import ADMIN, CHANNEL, MEMBER, Harness, reply_text
from tests.slack.modals import filled_modal, modal_text

A1, A2, A3 = APPROVERS
NEWBIE = "UNEWBIE"
OTHER_CHANNEL = "C0OTHER"
CONFIRM, REJECT = "setting_change_confirm", "setting_change_reject"


@dataclass(frozen=True)
class Loosening:
    command: str
    start: dict[str, object]
    """The policy before (on top of the approvals channel and three approvers)."""
    check: Callable[[Harness], Awaitable[object]]
    before: object
    after: object
    shown: str
    """On the card: what changes, in the policy's words."""
    ask_in: str = CHANNEL

    def __repr__(self) -> str:
        return self.command


async def _policy(field: str, h: Harness) -> object:
    return getattr(await get_policy(h.runtime.database, h.team_id), field)


async def _admins(h: Harness) -> list[str]:
    return [s.id for s in await h.runtime.roles.members(h.team_id, Role.ADMIN)]


async def _approvers(h: Harness) -> list[str]:
    return [s.id for s in await h.runtime.roles.members(h.team_id, Role.APPROVER)]


def policy(field: str) -> Callable[[Harness], Awaitable[object]]:
    return lambda h: _policy(field, h)


LOOSENING = [
    Loosening(
        "policy auto-approve 50",
        {},
        policy("auto_approve_limit"),
        Decimal(0),
        Decimal(50),
        "Moves up to €50.00 would run at once, with no approver.",
    ),
    Loosening(
        "policy daily-cap 500",
        {"auto_approve_limit": Decimal(20), "daily_auto_approve_cap": Decimal(200)},
        policy("daily_auto_approve_cap"),
        Decimal(200),
        Decimal(500),
        "Each requester could auto-run up to €500.00 in 24 hours",
    ),
    Loosening(
        "policy daily-cap none",
        {"auto_approve_limit": Decimal(20), "daily_auto_approve_cap": Decimal(200)},
        policy("daily_auto_approve_cap"),
        Decimal(200),
        None,
        "There would be no daily cap on what a requester may auto-run.",
    ),
    Loosening(
        "policy two-approvers 5000",
        {"two_approver_threshold": Decimal(1000)},
        policy("two_approver_threshold"),
        Decimal(1000),
        Decimal(5000),
        "Moves above €5,000.00 would need two approvers.",
    ),
    Loosening(
        "policy two-approvers none",
        {"two_approver_threshold": Decimal(1000)},
        policy("two_approver_threshold"),
        Decimal(1000),
        None,
        "One approver would always be enough",
    ),
    Loosening(
        f"admins add <@{NEWBIE}|newbie>",
        {},
        _admins,
        [],
        [NEWBIE],
        f"<@{NEWBIE}> becomes a Partner Ops admin",
    ),
    Loosening(
        f"approvers remove <@{A3}|approver3>",
        {},
        _approvers,
        [A1, A2, A3, ADMIN],
        [A1, A2, ADMIN],
        f"<@{A3}> is no longer an approver",
    ),
    Loosening(
        "approvals-channel",
        {},
        policy("approvals_channel_id"),
        APPROVALS,
        OTHER_CHANNEL,
        f"Approval cards would go to <#{OTHER_CHANNEL}>.",
        ask_in=OTHER_CHANNEL,
    ),
]


async def _workspace(h: Harness, **start: object) -> None:
    """Three approvers and the asker (a workspace admin, and an approver too: so that their
    own Confirm would count if it were allowed)."""
    h.fake.add_user(h.team_id, NEWBIE, "newbie")
    h.fake.add_channel(h.team_id, OTHER_CHANNEL, "other")
    await set_up_approvals(h, **start)
    await h.runtime.roles.grant(h.team_id, Role.APPROVER, Subject(SubjectKind.USER, ADMIN), ADMIN)


async def _the_card(h: Harness) -> Message:
    [change] = await h.runtime.settings_changes.pending(h.team_id)
    assert change.card_channel_id == APPROVALS and change.card_ts
    message = h.fake.find_message(APPROVALS, change.card_ts)
    assert message is not None
    return message


async def _card_now(h: Harness, card: Message) -> Message:
    message = h.fake.find_message(APPROVALS, card.ts)
    assert message is not None
    return message


async def _actions(h: Harness) -> list[str]:
    return [e.action for e in reversed(await audit.recent(h.runtime.database, h.team_id, 1))]


async def _dms_about_changes(h: Harness, user: str) -> list[str]:
    return await h.fake.wait_for(lambda: [m for m in dms_to(h, user) if "setting change" in m])


def _channel_texts(h: Harness, channel: str = APPROVALS) -> list[str]:
    return [m.text for m in h.fake.messages.get(channel, [])]


@pytest.mark.parametrize("case", LOOSENING, ids=repr)
async def test_a_loosening_change_waits_for_another_approver(
    slack: Harness, case: Loosening
) -> None:
    await _workspace(slack, **case.start)
    asked = reply_text(await slack.ask(case.command, user=ADMIN, channel_id=case.ask_in))
    assert "waits for an approver (not you)" in asked and "Nothing has changed yet" in asked
    assert await case.check(slack) == case.before

    card = await _the_card(slack)
    shown = card_text(card)
    assert f"<@{ADMIN}> asks for a change that loosens money control" in shown
    assert case.shown in shown
    assert buttons(card) == [CONFIRM, REJECT]

    # The asker's own Confirm is refused, though they are an approver.
    card = copy.deepcopy(card)  # as the clickers saw it (the fake redraws it in place)
    own = await (await click(slack, ADMIN, CONFIRM, card)).wait_response()
    assert "You asked for this change yourself" in reply_text(own)
    assert await case.check(slack) == case.before

    # A member who is no approver may not either.
    member = await (await click(slack, MEMBER, CONFIRM, card)).wait_response()
    assert "Only approvers can confirm setting changes" in reply_text(member)
    assert await case.check(slack) == case.before

    done = await (await click(slack, A2, CONFIRM, card)).wait_response()
    assert "the change is applied" in reply_text(done)
    assert await case.check(slack) == case.after

    # The asker's DM comes last (after the card and the announcement): wait for it.
    [told] = await _dms_about_changes(slack, ADMIN)
    redrawn = await _card_now(slack, card)
    assert buttons(redrawn) == []
    assert f"Confirmed by <@{A2}>" in card_text(redrawn)
    assert f"<@{A2}> confirmed your setting change" in told and case.shown in told
    announced = [t for t in _channel_texts(slack) if "confirmed" in t and "setting change" in t]
    assert len(announced) == 1
    actions = await _actions(slack)
    assert actions.index("setting_change_proposed") < actions.index("setting_change_confirmed")


@pytest.mark.parametrize("case", LOOSENING, ids=repr)
async def test_a_rejected_change_changes_nothing(slack: Harness, case: Loosening) -> None:
    await _workspace(slack, **case.start)
    await slack.ask(case.command, user=ADMIN, channel_id=case.ask_in)
    card = copy.deepcopy(await _the_card(slack))  # as the clickers saw it
    rejected = await (await click(slack, A1, REJECT, card)).wait_response()
    assert "nothing was changed" in reply_text(rejected)
    assert await case.check(slack) == case.before
    [told] = await _dms_about_changes(slack, ADMIN)
    assert f"<@{A1}> rejected your setting change" in told
    redrawn = await _card_now(slack, card)
    assert buttons(redrawn) == [] and f"Rejected by <@{A1}>" in card_text(redrawn)
    # Too late now: a Confirm after the decision changes nothing.
    late = await (await click(slack, A2, CONFIRM, card)).wait_response()
    assert "has already been rejected" in reply_text(late)
    assert await case.check(slack) == case.before
    assert "setting_change_rejected" in await _actions(slack)
    assert "setting_change_confirmed" not in await _actions(slack)


TIGHTENING = [
    (
        "policy auto-approve 10",
        {"auto_approve_limit": Decimal(50)},
        "auto_approve_limit",
        Decimal(10),
    ),
    (
        "policy daily-cap 100",
        {"daily_auto_approve_cap": Decimal(200)},
        "daily_auto_approve_cap",
        Decimal(100),
    ),
    ("policy daily-cap 100", {}, "daily_auto_approve_cap", Decimal(100)),
    ("policy two-approvers 500", {}, "two_approver_threshold", Decimal(500)),
    ("policy expiry 48h", {}, "expiry_hours", 48),
]


@pytest.mark.parametrize(("command", "start", "field", "after"), TIGHTENING)
async def test_a_tightening_change_applies_at_once_and_is_announced(
    slack: Harness, command: str, start: dict, field: str, after: object
) -> None:
    await _workspace(slack, **start)
    text = reply_text(await slack.ask(command, user=ADMIN))
    assert "Policy changed" in text
    assert await _policy(field, slack) == after
    assert await slack.runtime.settings_changes.pending(slack.team_id) == []
    [announced] = [t for t in _channel_texts(slack) if "changed a setting" in t]
    assert f"<@{ADMIN}> changed a setting" in announced


async def test_tightening_roles_apply_at_once(slack: Harness) -> None:
    await _workspace(slack)
    await slack.runtime.roles.grant(
        slack.team_id, Role.ADMIN, Subject(SubjectKind.USER, NEWBIE), ADMIN
    )
    added = reply_text(await slack.ask(f"approvers add <@{MEMBER}|max>", user=ADMIN))
    assert f"<@{MEMBER}> is now an approver" in added
    removed = reply_text(await slack.ask(f"admins remove <@{NEWBIE}|newbie>", user=ADMIN))
    assert f"<@{NEWBIE}> is no longer an admin" in removed
    assert MEMBER in await _approvers(slack) and await _admins(slack) == []
    announced = [t for t in _channel_texts(slack) if "changed a setting" in t]
    assert len(announced) == 2


async def test_a_double_click_makes_one_change(slack: Harness) -> None:
    await _workspace(slack)
    await slack.ask("policy auto-approve 50", user=ADMIN)
    card = copy.deepcopy(await _the_card(slack))
    before = await _actions(slack)
    clicks = await asyncio.gather(
        *(click(slack, user, CONFIRM, card) for user in (A1, A2, A3, A1, A2, A3))
    )
    answers = [reply_text(await c.wait_response()) for c in clicks]
    await _dms_about_changes(slack, ADMIN)
    assert sum("the change is applied" in a for a in answers) == 1
    assert sum("has already been confirmed and applied" in a for a in answers) == 5
    actions = (await _actions(slack))[len(before) :]
    assert actions.count("setting_change_confirmed") == 1
    assert actions.count("policy_changed") == 1
    assert await _policy("auto_approve_limit", slack) == Decimal(50)
    assert len([m for m in dms_to(slack, ADMIN) if "confirmed your setting change" in m]) == 1


async def test_amounts_have_an_upper_bound(slack: Harness) -> None:
    await _workspace(slack)
    for command, bound in (
        ("policy auto-approve 1000000", "€10,000.00"),
        ("policy auto-approve 10000.001", "€10,000.00"),
        ("policy daily-cap 100000.01", "€100,000.00"),
    ):
        text = reply_text(await slack.ask(command, user=ADMIN))
        assert f"can be at most {bound}" in text and "Nothing was changed" in text
    # The two-approver amount's bound is the most any amount may be: the parser says so.
    text = reply_text(await slack.ask("policy two-approvers 2000000", user=ADMIN))
    assert "is more than the €1,000,000.00" in text
    assert await slack.runtime.settings_changes.pending(slack.team_id) == []
    policy_now = await get_policy(slack.runtime.database, slack.team_id)
    assert policy_now == Policy(approvals_channel_id=APPROVALS)


async def test_added_admins_cannot_add_admins_and_cannot_loosen_alone(slack: Harness) -> None:
    slack.fake.add_user(slack.team_id, NEWBIE, "newbie")
    await slack.ask(f"admins add <@{MEMBER}|max>", user=ADMIN)  # no approver yet: at once
    assert await _admins(slack) == [MEMBER]
    refused = reply_text(await slack.ask(f"admins add <@{NEWBIE}|newbie>", user=MEMBER))
    assert "Only workspace admins and owners can add admins" in refused
    assert await _admins(slack) == [MEMBER]
    # Nobody could confirm yet: an added admin may not raise auto-approve on their own.
    alone = reply_text(await slack.ask("policy auto-approve 5000", user=MEMBER))
    assert "no approvals channel yet" in alone and "Nothing was changed" in alone
    assert await _policy("auto_approve_limit", slack) == Decimal(0)
    # With approvers, their change waits for one like anybody's.
    await set_up_approvals(slack)
    waiting = reply_text(await slack.ask("policy auto-approve 5000", user=MEMBER))
    assert "waits for an approver" in waiting
    assert await _policy("auto_approve_limit", slack) == Decimal(0)


async def test_an_unconfirmed_change_expires(slack: Harness) -> None:
    await _workspace(slack)
    await slack.ask("policy auto-approve 50", user=ADMIN)
    card = copy.deepcopy(await _the_card(slack))
    async with slack.runtime.database.session() as session:
        row = (await session.scalars(select(SettingChange))).one()
        row.expires_at = row.created_at - timedelta(seconds=1)
    await Maintenance(slack.runtime, WorkspaceClients(slack.runtime, None)).run_once()
    redrawn = await _card_now(slack, card)
    assert "expired" in card_text(redrawn) and buttons(redrawn) == []
    [told] = [m for m in dms_to(slack, ADMIN) if "setting change" in m]
    assert "Nobody confirmed your setting change in time" in told
    late = await (await click(slack, A1, CONFIRM, card)).wait_response()
    assert "already expired" in reply_text(late)
    assert await _policy("auto_approve_limit", slack) == Decimal(0)
    assert "setting_change_expired" in await _actions(slack)


NEW_SMS_KEY = "sandbox-sms-replacement-7c41d09f"


async def test_a_partner_key_replacement_waits_and_is_never_shown(
    slack: Harness, secrets_guard: SecretsGuard
) -> None:
    secrets_guard.watch([NEW_SMS_KEY])  # no log line may hold it
    await _workspace(slack)
    slack.sandbox.add_account(Product.SMS, api_key=NEW_SMS_KEY)
    await slack.command("setup", user=ADMIN)
    modal = await filled_modal(slack.fake, ADMIN, "key_sms")
    await slack.driver.submit_view(
        modal, team_id=slack.team_id, user_id=ADMIN, values={"key_sms": {"api_key": NEW_SMS_KEY}}
    )
    await slack.fake.wait_for(
        lambda: "Waiting for approval" in modal_text(slack.fake.views[modal.id])
    )
    done = modal_text(slack.fake.views[modal.id])
    assert "…2e7b" in done and "…d09f" in done and NEW_SMS_KEY not in done

    # Still the old key; the pending row holds the new one only sealed.
    assert (await slack.runtime.keys.key(slack.team_id, Product.SMS)).get_secret_value() == (
        DEMO_SMS_KEY
    )
    async with slack.runtime.database.session() as session:
        row = (await session.scalars(select(SettingChange))).one()
        assert row.encrypted_secret and NEW_SMS_KEY not in row.encrypted_secret
        assert NEW_SMS_KEY not in f"{row.old_value}{row.new_value}{row.subject}"

    card = copy.deepcopy(await _the_card(slack))
    shown = card_text(card)
    assert "SMS Partner API key `…2e7b` is replaced by the key `…d09f`" in shown
    assert NEW_SMS_KEY not in shown

    own = await (await click(slack, ADMIN, CONFIRM, card)).wait_response()
    assert "You asked for this change yourself" in reply_text(own)
    await (await click(slack, A1, CONFIRM, card)).wait_response()
    key = await slack.runtime.keys.key(slack.team_id, Product.SMS)
    assert key is not None and key.get_secret_value() == NEW_SMS_KEY
    async with slack.runtime.database.session() as session:
        row = (await session.scalars(select(SettingChange))).one()
        assert row.status == Status.APPLIED.value and row.encrypted_secret is None
        [saved] = (await session.scalars(select(WorkspacePartnerKey))).all()
        assert saved.fingerprint == "…d09f"
    assert NEW_SMS_KEY not in slack.outbound()
    audit_text = reply_text(await slack.ask("audit", user=ADMIN))
    assert NEW_SMS_KEY not in audit_text and "confirmed a setting change" in audit_text


async def test_the_same_change_asked_twice_makes_one_card(slack: Harness) -> None:
    await _workspace(slack)
    first = reply_text(await slack.ask("policy auto-approve 50", user=ADMIN))
    again = reply_text(await slack.ask("policy auto-approve 50", user=ADMIN))
    assert "waits for an approver" in first and "waits for an approver" in again
    assert len(await slack.runtime.settings_changes.pending(slack.team_id)) == 1
    cards = [m for m in slack.fake.messages.get(APPROVALS, []) if "Setting change" in m.text]
    assert len(cards) == 1
    # A different value is a different change.
    await slack.ask("policy auto-approve 60", user=ADMIN)
    assert len(await slack.runtime.settings_changes.pending(slack.team_id)) == 2


async def test_a_decision_a_crash_left_untold_is_told_once(slack: Harness) -> None:
    """The approver's click applied the change, and its process died before redrawing the card
    and telling anyone: maintenance tells it, once, whichever rounds run."""
    await _workspace(slack)
    await slack.ask("policy auto-approve 50", user=ADMIN)
    card = copy.deepcopy(await _the_card(slack))
    [change] = await slack.runtime.settings_changes.pending(slack.team_id)
    # What the dead process did: the decision alone, stored, nobody told.
    await slack.runtime.settings_changes.confirm(change.id, slack.team_id, A2, People())
    assert await _policy("auto_approve_limit", slack) == Decimal(50)
    maintenance = Maintenance(slack.runtime, WorkspaceClients(slack.runtime, None))
    await maintenance.run_once()  # within the grace: its process may still be telling it
    assert buttons(await _card_now(slack, card)) == [CONFIRM, REJECT]
    async with slack.runtime.database.session() as session:
        row = await session.get(SettingChange, change.id)
        assert row is not None
        row.decided_at = utcnow() - timedelta(minutes=1)
    await asyncio.gather(maintenance.run_once(), maintenance.run_once())
    await maintenance.run_once()
    redrawn = await _card_now(slack, card)
    assert buttons(redrawn) == [] and f"Confirmed by <@{A2}>" in card_text(redrawn)
    [told] = await _dms_about_changes(slack, ADMIN)
    assert f"<@{A2}> confirmed your setting change" in told
    announced = [t for t in _channel_texts(slack) if "confirmed" in t and "setting change" in t]
    assert len(announced) == 1
