"""The policy end to end: limits that cannot contradict, roles only for real people and groups,
and a requesters rule that locks everyone out told to the admins once."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.services.policy import get_policy
from bot.services.requests import Status
from bot.services.roles import Role, Subject, SubjectKind
from tests.slack.approvals import (
    APPROVALS,
    a_subaccount,
    buttons,
    card_of,
    card_text,
    dms_to,
    latest_request,
    set_up_approvals,
)
from tests.slack.harness import ADMIN, MEMBER, Harness, reply_text

FINANCE = "S0FINANCE"
FINANCE_MENTION = f"<!subteam^{FINANCE}|@finance>"
SECOND_ADMIN = "UADMIN2"


# --- limits that cannot contradict each other -------------------------------------------------


async def test_a_move_above_the_two_approver_amount_needs_two_whatever_auto_approve_says(
    slack: Harness,
) -> None:
    await set_up_approvals(slack, auto_approve_limit=Decimal(50))
    lowered = reply_text(await slack.ask("policy two-approvers 20", user=ADMIN))
    assert "auto-approve limit was lowered from €50.00 to €20.00" in lowered
    assert "Moves up to €20.00 run at once; moves above €20.00 need two approvers" in lowered
    policy = await get_policy(slack.runtime.database, slack.team_id)
    assert policy.auto_approve_limit == Decimal(20)
    assert policy.two_approver_threshold == Decimal(20)

    post = await slack.ask(f"credit add {a_subaccount(slack).email} 30")
    assert "sent to <#C0APPROVALS>" in reply_text(post)
    request = await latest_request(slack)
    assert request.status is Status.PENDING and not request.auto_approved
    assert request.approvals_needed == 2
    card = await card_of(slack, request.id)
    assert "needs 2 approvers" in card_text(card)
    assert buttons(card) == ["request_approve", "request_reject"]
    assert slack.sandbox.calls(endpoint="/subaccount/credit/add") == []  # nothing moved


async def test_auto_approve_above_the_two_approver_amount_is_refused(slack: Harness) -> None:
    await slack.ask("policy two-approvers 20", user=ADMIN)
    before = await get_policy(slack.runtime.database, slack.team_id)
    refused = reply_text(await slack.ask("policy auto-approve 50", user=ADMIN))
    assert "cannot be above the two-approver amount (€20.00)" in refused
    assert "`/partner policy auto-approve 20`" in refused and "Nothing was changed" in refused
    assert await get_policy(slack.runtime.database, slack.team_id) == before
    accepted = reply_text(await slack.ask("policy auto-approve 20", user=ADMIN))
    assert "Policy changed" in accepted


async def test_the_policy_reads_as_sentences(slack: Harness) -> None:
    slack.fake.add_usergroup(slack.team_id, FINANCE, "finance", [MEMBER])
    assert "Anyone in the workspace may ask." in reply_text(await slack.ask("policy"))
    for command in (
        "auto-approve 20",
        "two-approvers 100",
        "daily-cap 200",
        "expiry 12h",
        f"requesters {FINANCE_MENTION}",
    ):
        await slack.ask(f"policy {command}", user=ADMIN)
    text = reply_text(await slack.ask("policy"))
    for sentence in (
        "Only members of <!subteam^S0FINANCE|@finance> may ask.",
        "Deletions always need an approver.",
        "Moves up to €20.00 run at once; moves above €20.00 need an approver; "
        "moves above €100.00 need two approvers.",
        "Each requester may auto-run up to €200.00 in 24 hours",
        "A new subaccount without credit needs no approval",
        "Requests expire after 12 h.",
        "Checked in this order: who may ask, then deletions, then the two-approver amount",
    ):
        assert sentence in text, sentence


# --- only real people and groups get roles ----------------------------------------------------


@pytest.mark.parametrize(
    ("flags", "reason"),
    [
        ({"is_bot": True}, "is a bot or an app"),
        ({"deleted": True}, "is deactivated"),
        ({"is_restricted": True}, "is a guest"),
        ({"is_ultra_restricted": True}, "is a guest"),
    ],
)
@pytest.mark.parametrize("role", ["approvers", "admins"])
async def test_roles_are_refused_to_bots_deactivated_users_and_guests(
    slack: Harness, role: str, flags: dict, reason: str
) -> None:
    slack.fake.add_user(slack.team_id, "UODD", "odd", **flags)
    text = reply_text(await slack.ask(f"{role} add <@UODD|odd>", user=ADMIN))
    assert f"<@UODD> {reason}" in text and "Nothing was changed" in text
    assert await slack.runtime.roles.members(slack.team_id, Role.APPROVER) == []
    assert await slack.runtime.roles.members(slack.team_id, Role.ADMIN) == []


@pytest.mark.parametrize("role", ["approvers", "admins"])
async def test_a_user_slack_does_not_know_gets_no_role(slack: Harness, role: str) -> None:
    text = reply_text(await slack.ask(f"{role} add <@U0NOBODY|bob>", user=ADMIN))
    assert "`U0NOBODY` is not a user of this workspace" in text
    assert await slack.runtime.roles.members(slack.team_id, Role.APPROVER) == []
    assert await slack.runtime.roles.members(slack.team_id, Role.ADMIN) == []


async def test_groups_must_exist_and_keep_their_label(slack: Harness) -> None:
    refused = reply_text(await slack.ask("approvers add <!subteam^SNOPE|@x>", user=ADMIN))
    assert "`@x` is not a user group of this workspace" in refused
    assert await slack.runtime.roles.members(slack.team_id, Role.APPROVER) == []

    slack.fake.add_usergroup(slack.team_id, FINANCE, "finance", [MEMBER])
    # The label Slack's list gives wins over whatever the mention carried.
    added = reply_text(await slack.ask(f"approvers add <!subteam^{FINANCE}>", user=ADMIN))
    assert f"Everyone in <!subteam^{FINANCE}|@finance> is now an approver" in added
    [group] = await slack.runtime.roles.members(slack.team_id, Role.APPROVER)
    assert group == Subject(SubjectKind.USERGROUP, FINANCE) and group.label == "finance"
    listed = await slack.ask("approvers list")
    assert f"<!subteam^{FINANCE}|@finance>" in reply_text(listed)
    removed = reply_text(await slack.ask(f"approvers remove {FINANCE_MENTION}", user=ADMIN))
    assert f"<!subteam^{FINANCE}|@finance> is no longer an approver" in removed


async def test_a_deactivated_approver_can_still_be_removed(slack: Harness) -> None:
    slack.fake.add_user(slack.team_id, "UGONE", "gone")
    await slack.ask("approvers add <@UGONE|gone>", user=ADMIN)
    slack.fake.users["UGONE"].deleted = True
    text = reply_text(await slack.ask("approvers remove <@UGONE|gone>", user=ADMIN))
    assert "<@UGONE> is no longer an approver" in text
    assert await slack.runtime.roles.members(slack.team_id, Role.APPROVER) == []


@pytest.mark.parametrize(
    ("group", "reason"),
    [
        ("<!subteam^SNOPE|@x>", "`@x` is not a user group of this workspace"),
        ("<!subteam^S0EMPTY|@empty>", "has nobody in it"),
    ],
)
async def test_requesters_must_be_an_existing_group_with_people_in_it(
    slack: Harness, group: str, reason: str
) -> None:
    slack.fake.add_usergroup(slack.team_id, "S0EMPTY", "empty", [])
    text = reply_text(await slack.ask(f"policy requesters {group}", user=ADMIN))
    assert reason in text and "Nothing was changed" in text
    assert (await get_policy(slack.runtime.database, slack.team_id)).requesters_usergroup_id is None
    # and everyone may still ask
    await set_up_approvals(slack)
    assert "sent to" in reply_text(await slack.ask(f"credit add {a_subaccount(slack).email} 5"))


# --- a requesters rule that locks everyone out ------------------------------------------------


def _lockout_dms(h: Harness, user: str) -> list[str]:
    return [m for m in dms_to(h, user) if "Nobody can make Partner Ops requests" in m]


async def _group_changed(h: Harness) -> None:
    """What Slack sends when a group's members change (the app caches them for a minute)."""
    delivery = await h.driver.event(
        {"type": "subteam_members_changed", "subteam_id": FINANCE, "team_id": h.team_id},
        team_id=h.team_id,
    )
    assert delivery.status == 200


async def test_a_lock_out_is_told_to_the_admins_once_until_fixed(slack: Harness) -> None:
    slack.fake.add_user(slack.team_id, SECOND_ADMIN, "eve")
    await slack.ask(f"admins add <@{SECOND_ADMIN}|eve>", user=ADMIN)  # before any approver
    await set_up_approvals(slack)
    slack.fake.add_usergroup(slack.team_id, FINANCE, "finance", [MEMBER])
    await slack.ask(f"policy requesters {FINANCE_MENTION}", user=ADMIN)
    email = a_subaccount(slack).email
    assert "sent to" in reply_text(await slack.ask(f"credit add {email} 5"))

    # An admin outside the group is refused like anyone: the rule and how to change it.
    refused = reply_text(await slack.ask(f"credit add {email} 5", user=ADMIN))
    assert f"Only members of <!subteam^{FINANCE}|@finance> may make requests" in refused
    assert "policy set by admins: `/partner policy requesters everyone`" in refused
    assert "has nobody in it" not in refused

    slack.fake.usergroups[FINANCE].users = []  # the group is emptied
    await _group_changed(slack)
    refused = reply_text(await slack.ask(f"credit add {email} 5"))
    assert "has nobody in it right now" in refused and "the admins have been told" in refused
    for admin in (ADMIN, SECOND_ADMIN):
        [told] = _lockout_dms(slack, admin)
        assert f"<!subteam^{FINANCE}|@finance>" in told
        assert "`/partner policy requesters everyone`" in told
    assert _lockout_dms(slack, MEMBER) == []

    # Refused again (the reply comes after any DM would): nobody is told twice.
    await slack.ask(f"credit add {email} 5", user=ADMIN)
    await slack.ask(f"credit add {email} 5")
    assert len(_lockout_dms(slack, ADMIN)) == 1 and len(_lockout_dms(slack, SECOND_ADMIN)) == 1

    # Fixed (somebody may ask again), then broken again: the admins hear it again.
    slack.fake.usergroups[FINANCE].users = [MEMBER]
    await _group_changed(slack)
    # (6, not 5: the same request again would ask whether it is meant twice)
    assert "sent to" in reply_text(await slack.ask(f"credit add {email} 6"))
    del slack.fake.usergroups[FINANCE]  # this time the group is deleted
    await _group_changed(slack)
    refused = reply_text(await slack.ask(f"credit add {email} 5"))
    assert "has nobody in it right now (or no longer exists)" in refused
    assert len(_lockout_dms(slack, ADMIN)) == 2 and len(_lockout_dms(slack, SECOND_ADMIN)) == 2

    # Admins can always change the rule, and then everyone may ask.
    opened = reply_text(await slack.ask("policy requesters everyone", user=ADMIN))
    assert "Anyone in the workspace may ask." in opened
    assert "sent to" in reply_text(await slack.ask(f"credit add {email} 5", user=ADMIN))
    pending = await slack.runtime.requests.pending(slack.team_id)
    assert len(pending) == 3 and all(r.card_channel_id == APPROVALS for r in pending)


async def test_a_lock_out_reaches_the_owners_when_no_admin_can_be_told(slack: Harness) -> None:
    """The one who set the rule was deactivated and nobody was added as admin: the
    workspace's owners hear it (users.list), the primary owner too, nobody else."""
    await set_up_approvals(slack)
    team = slack.team_id
    slack.fake.add_user(team, "UOWNER", "olga", is_owner=True, locale="fr-FR")
    slack.fake.add_user(team, "UPRIMARY", "paul", is_primary_owner=True)
    slack.fake.add_user(team, "UOLDOWNER", "gone", is_owner=True, deleted=True)
    slack.fake.add_usergroup(team, FINANCE, "finance", [MEMBER])
    await slack.ask(f"policy requesters {FINANCE_MENTION}", user=ADMIN)
    slack.fake.users[ADMIN].deleted = True  # who set the rule can no longer be reached
    slack.fake.usergroups[FINANCE].users = []
    await _group_changed(slack)

    refused = reply_text(await slack.ask(f"credit add {a_subaccount(slack).email} 5"))
    assert "has nobody in it right now" in refused
    [primary] = _lockout_dms(slack, "UPRIMARY")
    assert f"<!subteam^{FINANCE}|@finance>" in primary
    [owner] = [m for m in dms_to(slack, "UOWNER") if "Plus personne ne peut faire" in m]
    assert f"<!subteam^{FINANCE}|@finance>" in owner  # in the owner's language
    assert dms_to(slack, ADMIN) == [] and dms_to(slack, "UOLDOWNER") == []
    assert _lockout_dms(slack, MEMBER) == []
    assert len(slack.fake.calls_to("users.list")) == 1


async def test_owners_are_not_told_when_an_admin_was(slack: Harness) -> None:
    await set_up_approvals(slack)
    slack.fake.add_user(slack.team_id, "UPRIMARY", "paul", is_primary_owner=True)
    slack.fake.add_usergroup(slack.team_id, FINANCE, "finance", [MEMBER])
    await slack.ask(f"policy requesters {FINANCE_MENTION}", user=ADMIN)
    slack.fake.usergroups[FINANCE].users = []
    await _group_changed(slack)
    await slack.ask(f"credit add {a_subaccount(slack).email} 5")
    assert len(_lockout_dms(slack, ADMIN)) == 1
    assert dms_to(slack, "UPRIMARY") == [] and slack.fake.calls_to("users.list") == []
