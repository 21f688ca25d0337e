"""Modals against Slack's clock: a trigger_id lives 3 s and a submission must be acknowledged
within 3 s, so modals open before any lookup and submissions are acknowledged before the work;
and the result of a submission is shown whatever order Slack applies the ack and the update."""

from __future__ import annotations

from bot.partner.models import Product
from bot.services.requests import Status
from bot.services.roles import Role, Subject, SubjectKind
from devkit.emulator import ApiCall
from devkit.sandbox import DEMO_MAIL_KEY, DEMO_SMS_KEY, Fault, FaultKind
from tests.slack.approvals import (
    a_subaccount,
    card_of,
    click,
    dms_to,
    latest_request,
    set_up_approvals,
)
from tests.slack.harness import ADMIN, MEMBER, Harness
from tests.slack.modals import filled_modal, modal_text

GROUP, GROUP_APPROVER = "S0DECIDERS", "UGROUPAPPR"


def first(slack: Harness, method: str) -> ApiCall:
    return slack.fake.calls_to(method)[0]


def strict_triggers(slack: Harness) -> None:
    slack.fake.trigger_ttl = 3.0  # as on Slack (the emulator's default; said here on purpose)


async def test_reject_opens_its_modal_before_slow_lookups(slack: Harness) -> None:
    strict_triggers(slack)
    await set_up_approvals(slack)
    # An approver through a user group: deciding asks Slack for the group (Tier 2, slow).
    slack.fake.add_user(slack.team_id, GROUP_APPROVER, "grouped")
    slack.fake.add_usergroup(slack.team_id, GROUP, "deciders", [GROUP_APPROVER])
    await slack.runtime.roles.grant(
        slack.team_id, Role.APPROVER, Subject(SubjectKind.USERGROUP, GROUP), ADMIN
    )
    await slack.ask(f"credit add {a_subaccount(slack).email} 10")
    request = await latest_request(slack)
    card = await card_of(slack, request.id)
    lookups = slack.fake.hold("usergroups.users.list")

    await click(slack, GROUP_APPROVER, "request_reject", card)
    [lookup] = await lookups.held()
    # The group lookup is still unanswered, and the modal is already open: opened first.
    opened = first(slack, "views.open")
    assert opened.error is None and slack.fake.calls.index(opened) < slack.fake.calls.index(lookup)
    assert slack.fake.open_modals(GROUP_APPROVER)
    lookups.release()
    modal = await filled_modal(slack.fake, GROUP_APPROVER, "reason")

    # Rejecting asks Slack for the group again (once the shared cache has forgotten it, as a
    # minute later): held, and the submission is acknowledged all the same — the ack came
    # back while the lookup waits at the gate, before anything was decided.
    slack.runtime.group_members.forget(slack.team_id, GROUP)
    lookups = slack.fake.hold("usergroups.users.list")
    submitted = await slack.driver.submit_view(
        modal,
        team_id=slack.team_id,
        user_id=GROUP_APPROVER,
        values={"reason": {"reason": "not this month"}},
    )
    assert submitted.json["response_action"] == "update"
    await lookups.held()
    assert (await slack.runtime.requests.get(request.id)).status is Status.PENDING
    lookups.release()
    await slack.fake.wait_for(lambda: "is rejected" in modal_text(slack.fake.views[modal.id]))
    assert (await slack.runtime.requests.get(request.id)).status is Status.REJECTED
    await slack.fake.wait_for(lambda: dms_to(slack, MEMBER))


async def test_setup_opens_its_modal_before_asking_slack_who_is_admin(
    slack_unconfigured: Harness,
) -> None:
    slack = slack_unconfigured
    strict_triggers(slack)
    lookups = slack.fake.hold("users.info")  # as slow as Slack may be: it waits for us
    await slack.command("setup", user=ADMIN)
    [lookup] = await lookups.held()
    # The admin lookup is still unanswered, and the modal is already open: opened first.
    opened = first(slack, "views.open")
    assert opened.error is None and slack.fake.calls.index(opened) < slack.fake.calls.index(lookup)
    lookups.release()
    modal = await filled_modal(slack.fake, ADMIN, "key_sms")

    # The admin check (users.info) runs again after the submission's ack: held, and the
    # submission is acknowledged all the same — before the key was even checked with the vendor.
    lookups = slack.fake.hold("users.info")
    submitted = await slack.driver.submit_view(
        modal, team_id=slack.team_id, user_id=ADMIN, values={"key_sms": {"api_key": DEMO_SMS_KEY}}
    )
    assert submitted.json["response_action"] == "update"
    await lookups.held()
    assert slack.sandbox.journal == []
    lookups.release()
    await slack.fake.wait_for(lambda: "Keys saved" in modal_text(slack.fake.views[modal.id]))


async def test_subaccount_create_works_with_a_slow_group_lookup(slack: Harness) -> None:
    strict_triggers(slack)
    await set_up_approvals(slack, requesters_usergroup_id="S0FIN")
    slack.fake.add_usergroup(slack.team_id, "S0FIN", "finance", [MEMBER])
    await slack.command("subaccount create")
    modal = await filled_modal(slack.fake, MEMBER, "email")
    assert first(slack, "views.open").error is None

    # Whether the requester is in the group is asked on submission: held, as slow as Slack
    # may be, and the submission is acknowledged all the same.
    slack.runtime.group_members.forget(slack.team_id, "S0FIN")
    lookups = slack.fake.hold("usergroups.users.list")
    submitted = await slack.driver.submit_view(
        modal, team_id=slack.team_id, user_id=MEMBER, values={"type": {"type": "simple"}}
    )
    assert submitted.status == 200
    await lookups.held()
    # Acked before the group lookup was answered: when Slack had the ack, nothing was created.
    assert slack.sandbox.calls(endpoint="/subaccount/create") == []
    lookups.release()
    await slack.fake.wait_for(lambda: dms_to(slack, MEMBER))
    assert "needs no approval" in dms_to(slack, MEMBER)[0]


async def test_setup_result_shown_when_the_ack_is_applied_first(
    slack_unconfigured: Harness,
) -> None:
    """(a) Slack applies the "checking" ack, then the app's update arrives (a slow vendor)."""
    slack = slack_unconfigured
    slack.sandbox.inject(Fault(FaultKind.LATENCY, product=Product.SMS, endpoint="/me", delay=0.3))
    await slack.command("setup", user=ADMIN)
    modal = await filled_modal(slack.fake, ADMIN, "key_sms")
    await slack.driver.submit_view(
        modal, team_id=slack.team_id, user_id=ADMIN, values={"key_sms": {"api_key": DEMO_SMS_KEY}}
    )
    assert "Checking" in modal_text(slack.fake.views[modal.id])  # the ack, applied
    await slack.fake.wait_for(lambda: "Keys saved" in modal_text(slack.fake.views[modal.id]))
    assert [call.error for call in slack.fake.calls_to("views.update")] == [None, None]


async def test_setup_result_shown_when_the_update_arrives_before_the_ack_is_applied(
    slack_unconfigured: Harness,
) -> None:
    """(b) The app's update reaches Slack before Slack has applied the "checking" ack: the
    late ack must not overwrite the result."""
    slack = slack_unconfigured
    await slack.command("setup", user=ADMIN)
    modal = await filled_modal(slack.fake, ADMIN, "key_sms")
    delivery = await slack.driver.submit_view(
        modal,
        team_id=slack.team_id,
        user_id=ADMIN,
        values={"key_mail": {"api_key": DEMO_MAIL_KEY}},
        apply_ack=False,
    )
    assert delivery.json["response_action"] == "update"
    # The app has tried to show its result while the ack is not applied yet...
    await slack.fake.wait_for(
        lambda: any(c.error == "not_found" for c in slack.fake.calls_to("views.update"))
    )
    assert "Keys saved" not in modal_text(slack.fake.views[modal.id])
    # ...now Slack applies the ack, and the app's next try replaces it.
    slack.fake.after_view_submission(modal.id, delivery.json)
    await slack.fake.wait_for(lambda: "Keys saved" in modal_text(slack.fake.views[modal.id]))
