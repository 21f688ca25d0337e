"""Uninstall, then reinstall: no key is replaced without a second person, no request runs
against another vendor account than the one it was made against, and a late command from an
uninstalled workspace gets a clear line (and Bolt logs no ERROR)."""

from __future__ import annotations

import copy
import logging
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from bot.db.models import AuditEntry, SettingChange
from bot.db.session import Database
from bot.partner.models import Product
from bot.services import audit
from bot.services.policy import change_policy
from bot.services.requests import Status
from bot.services.roles import Role, Subject, SubjectKind
from bot.services.settings_changes import Status as ChangeStatus
from bot.slack import stores
from devkit.emulator import FakeSlack, Message
from devkit.sandbox import DEMO_SMS_KEY, Sandbox
from tests.conftest import SecretsGuard
from tests.slack.approvals import (
    APPROVERS,
    a_subaccount,
    buttons,
    card_of,
    card_text,
    click,
    dms_to,
    latest_request,
    set_up_approvals,
)
from tests.slack.barriers import app_settled
from tests.slack.harness import (
    ADMIN,
    MANIFEST_SCOPE,
    MEMBER,
    Harness,
    running_app,
    settings_for,
)
from tests.slack.modals import filled_modal, modal_text
from tests.slack.test_workspaces import NEW_ADMIN, NEW_BOT_TOKEN, NEW_TEAM, install, install_code

OTHER_KEY = "sandbox-sms-other-account-5a3c"
LATER_KEY = "sandbox-sms-chosen-before-uninstall-77e1"
NEW_APPROVALS = "C0NEWAPPR"
NEW_APPROVER = "UNEWAPPR"
NEW_MEMBER = "UNEWMEMB"
NEW_GENERAL = "C0NEWGEN"
SECOND_BOT_TOKEN = "xoxb-new-team-token-again-99cc33"
CONFIRM = "setting_change_confirm"


@pytest.fixture
async def multi(
    database: Database, fake_slack: FakeSlack, sandbox: Sandbox, secrets_guard: SecretsGuard
) -> AsyncIterator[Harness]:
    secrets_guard.watch([NEW_BOT_TOKEN, SECOND_BOT_TOKEN, OTHER_KEY, LATER_KEY])
    settings = settings_for(fake_slack, sandbox, database.url, many_workspaces=True)
    async with running_app(settings, fake_slack, sandbox) as harness:
        secrets_guard.watch(harness.secrets())
        yield harness
        assert harness.block_kit_violations() == []
        assert harness.late_acks() == []


async def _in_use(h: Harness) -> None:
    """NEW_TEAM installed, with its SMS key, an approvals channel, an approver, a member."""
    await install(h)
    h.fake.add_user(NEW_TEAM, NEW_APPROVER, "approver")
    h.fake.add_user(NEW_TEAM, NEW_MEMBER, "member")
    h.fake.add_channel(NEW_TEAM, NEW_APPROVALS, "approvals")
    await h.runtime.keys.save(NEW_TEAM, {Product.SMS: DEMO_SMS_KEY}, NEW_ADMIN)
    # Appointed by the workspace's owner, not by NEW_ADMIN who asks below: an approver the
    # asker appointed would not count for the asker (bot.services.four_eyes).
    await h.runtime.roles.grant(
        NEW_TEAM, Role.APPROVER, Subject(SubjectKind.USER, NEW_APPROVER), "UNEWOWNER"
    )
    await change_policy(h.runtime.database, NEW_TEAM, NEW_ADMIN, approvals_channel_id=NEW_APPROVALS)


async def _set_up_key(h: Harness, key: str, *, team_id: str, user: str) -> str:
    """`/partner setup` with `key` for SMS; what the modal shows once it is done."""
    await h.command("setup", user=user, team_id=team_id, channel_id=NEW_GENERAL)
    modal = await filled_modal(h.fake, user, "key_sms")
    await h.driver.submit_view(
        modal, team_id=team_id, user_id=user, values={"key_sms": {"api_key": key}}
    )
    return await h.fake.wait_for(
        lambda: (shown := modal_text(h.fake.views[modal.id])) and "Checking" not in shown and shown
    )


async def _uninstall(h: Harness) -> None:
    delivery = await h.driver.event({"type": "app_uninstalled"}, team_id=NEW_TEAM)
    assert delivery.status == 200
    # The listener runs after the ack: wait until it has ended. (No keys is no proof: a
    # workspace installed without any has none before the listener even starts.)
    await app_settled(h)
    assert await h.runtime.keys.statuses(NEW_TEAM) == {}
    store = stores.installation_store(h.runtime)
    assert await store.async_find_bot(enterprise_id=None, team_id=NEW_TEAM) is None


async def _reinstall(h: Harness) -> None:
    h.fake.add_oauth_code(
        "code-again",
        team_id=NEW_TEAM,
        team_name="New Co",
        bot_token=SECOND_BOT_TOKEN,
        authed_user_id=NEW_ADMIN,
        scope=MANIFEST_SCOPE,
    )
    await install_code(h, "code-again")


async def _change_card(h: Harness) -> Message:
    [change] = await h.runtime.settings_changes.pending(NEW_TEAM)
    assert change.card_channel_id == NEW_APPROVALS and change.card_ts
    card = h.fake.find_message(NEW_APPROVALS, change.card_ts)
    assert card is not None
    return copy.deepcopy(card)


async def _saved_keys_audit(h: Harness) -> list[dict]:
    async with h.runtime.database.session() as session:
        rows = await session.scalars(
            select(AuditEntry)
            .where(AuditEntry.team_id == NEW_TEAM, AuditEntry.action == "partner_key_saved")
            .order_by(AuditEntry.id)
        )
        return [row.details for row in rows.all()]


async def test_after_a_reinstall_another_key_waits_and_old_requests_never_run_with_it(
    multi: Harness,
) -> None:
    h = multi
    await _in_use(h)
    h.sandbox.add_account(Product.SMS, api_key=OTHER_KEY)
    h.sandbox.add_account(Product.SMS, api_key=LATER_KEY)
    sub = h.sandbox.accounts[DEMO_SMS_KEY].subaccounts[3]
    await h.ask(
        f"credit add {sub.email} 10 before the uninstall",
        user=NEW_MEMBER,
        team_id=NEW_TEAM,
        channel_id=NEW_GENERAL,
    )
    [request] = await h.runtime.requests.of_requester(NEW_TEAM, NEW_MEMBER)
    assert request.status is Status.PENDING
    # A replacement chosen before the uninstall, still waiting for its approver.
    shown = await _set_up_key(h, LATER_KEY, team_id=NEW_TEAM, user=NEW_ADMIN)
    assert "Waiting for approval" in shown

    await _uninstall(h)
    # The pending replacement does not outlive the uninstall, nor does its sealed key.
    async with h.runtime.database.session() as session:
        [dropped] = (await session.scalars(select(SettingChange))).all()
        assert dropped.status == ChangeStatus.EXPIRED.value and dropped.encrypted_secret is None

    await _reinstall(h)
    # The same admin, another account's key: it waits for the approver, nothing is saved.
    shown = await _set_up_key(h, OTHER_KEY, team_id=NEW_TEAM, user=NEW_ADMIN)
    assert "Waiting for approval" in shown and "Keys saved" not in shown
    assert await h.runtime.keys.key(NEW_TEAM, Product.SMS) is None
    card = await _change_card(h)
    assert "SMS Partner API key `…2e7b` is replaced by the key `…5a3c`" in card_text(card)

    confirmed = await h.driver.click(
        team_id=NEW_TEAM,
        user_id=NEW_APPROVER,
        action_id=CONFIRM,
        message=card,
        channel_id=NEW_APPROVALS,
    )
    assert confirmed.status == 200
    await confirmed.wait_response()
    saved = await h.runtime.keys.key(NEW_TEAM, Product.SMS)
    assert saved is not None and saved.get_secret_value() == OTHER_KEY
    *_, last = await _saved_keys_audit(h)
    assert last["replaced"] is True and last["fingerprint"] == "…5a3c"

    # The request made against the first account is withdrawn, its requester told.
    told = await h.fake.wait_for(lambda: [m for m in dms_to(h, NEW_MEMBER) if "withdrawn" in m])
    assert f"#{request.number}" in told[0] and "SMS Partner API key changed" in told[0]
    await app_settled(h)
    withdrawn = await h.runtime.requests.get(request.id)
    assert withdrawn.status is Status.CANCELLED and withdrawn.withdrawn_for_key
    assert not h.sandbox.calls(endpoint="/subaccount/credit/add")
    request_card = h.fake.find_message(NEW_APPROVALS, withdrawn.card_ts)
    assert request_card is not None and "Withdrawn" in card_text(request_card)
    assert buttons(request_card) == []


async def test_a_key_replaced_by_any_path_does_not_run_the_requests_made_before(
    slack: Harness,
) -> None:
    """Saved without going through setup (the console, a script): the approval that completes
    the count finds another key and withdraws the request instead of calling the vendor."""
    await set_up_approvals(slack)
    slack.sandbox.add_account(Product.SMS, api_key=OTHER_KEY)
    await slack.ask(f"credit add {a_subaccount(slack).email} 10")
    request = await latest_request(slack)
    card = await card_of(slack, request.id)
    await slack.runtime.keys.save(slack.team_id, {Product.SMS: OTHER_KEY}, ADMIN)

    await click(slack, APPROVERS[0], "request_approve", card)
    told = await slack.fake.wait_for(lambda: [m for m in dms_to(slack, MEMBER) if "withdrawn" in m])
    assert f"#{request.number}" in told[0]
    await app_settled(slack)
    done = await slack.runtime.requests.get(request.id)
    assert done.status is Status.CANCELLED and done.withdrawn_for_key
    assert not slack.sandbox.calls(endpoint="/subaccount/credit/add")
    entries = await audit.recent(slack.runtime.database, slack.team_id, 1)
    actions = [e.action for e in entries if e.request_number == request.number]
    assert "withdrawn" in actions and "vendor_call_sent" not in actions


async def test_a_first_key_in_a_workspace_in_use_waits_for_an_approver(
    slack_unconfigured: Harness,
) -> None:
    h = slack_unconfigured
    await set_up_approvals(h)
    await h.command("setup", user=ADMIN)
    modal = await filled_modal(h.fake, ADMIN, "key_sms")
    await h.driver.submit_view(
        modal, team_id=h.team_id, user_id=ADMIN, values={"key_sms": {"api_key": DEMO_SMS_KEY}}
    )
    await h.fake.wait_for(lambda: "Waiting for approval" in modal_text(h.fake.views[modal.id]))
    shown = modal_text(h.fake.views[modal.id])
    assert "its first SMS Partner key is confirmed like a replacement" in shown
    assert await h.runtime.keys.key(h.team_id, Product.SMS) is None
    [change] = await h.runtime.settings_changes.pending(h.team_id)
    card = h.fake.find_message(change.card_channel_id, change.card_ts)
    assert card is not None
    assert "first SMS Partner key of a workspace already in use" in card_text(card)
    await app_settled(h)


async def test_a_late_command_from_an_uninstalled_workspace_gets_a_clear_line(
    multi: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    await install(multi)
    await _uninstall(multi)
    with caplog.at_level(logging.INFO):
        delivery = await multi.command(
            "balance", user=NEW_ADMIN, team_id=NEW_TEAM, channel_id=NEW_GENERAL
        )
        event = await multi.driver.event(
            {"type": "app_home_opened", "user": NEW_ADMIN, "tab": "home"}, team_id=NEW_TEAM
        )
        # Acknowledged at the door (bot.slack.door_acks): the line comes as Slack shows an
        # ack's text, an ephemeral message.
        line = await delivery.wait_response()
        await app_settled(multi)
    assert delivery.status == 200 and delivery.body == ""
    assert line.response_type == "ephemeral"
    assert "Partner Ops is not installed in this workspace" in (line.text or "")
    assert len(delivery.responses()) == 1
    assert event.status == 200 and event.body == ""
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2 and all("not installed" in r.getMessage() for r in warnings)
    await app_settled(multi)


async def test_a_key_saved_at_once_withdraws_the_requests_made_with_the_old_one(
    slack: Harness,
) -> None:
    """Nobody left to confirm (the approvers were removed): a workspace admin replaces the
    key at once, and the request waiting in the channel is withdrawn, not left to run."""
    await set_up_approvals(slack)
    slack.sandbox.add_account(Product.SMS, api_key=OTHER_KEY)
    await slack.ask(f"credit add {a_subaccount(slack).email} 10")
    request = await latest_request(slack)
    for approver in APPROVERS:
        await slack.runtime.roles.revoke(
            slack.team_id, Role.APPROVER, Subject(SubjectKind.USER, approver), ADMIN
        )
    await slack.command("setup", user=ADMIN)
    modal = await filled_modal(slack.fake, ADMIN, "key_sms")
    await slack.driver.submit_view(
        modal, team_id=slack.team_id, user_id=ADMIN, values={"key_sms": {"api_key": OTHER_KEY}}
    )
    await slack.fake.wait_for(lambda: "Keys saved" in modal_text(slack.fake.views[modal.id]))
    told = await slack.fake.wait_for(lambda: [m for m in dms_to(slack, MEMBER) if "withdrawn" in m])
    assert f"#{request.number}" in told[0]
    await app_settled(slack)
    done = await slack.runtime.requests.get(request.id)
    assert done.status is Status.CANCELLED and done.withdrawn_for_key
