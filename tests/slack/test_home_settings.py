"""The Home's Settings buttons, through the running app: each opens a small form whose
submission takes the `/partner` command's own path (four eyes for a loosening change); and the
Home in French for a French-speaking Slack user."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from bot.services.policy import get_policy
from bot.services.roles import Role, Subject, SubjectKind
from bot.slack.home.views import WAITING_SHOWN
from devkit.emulator import View
from tests.slack.approvals import (
    APPROVALS,
    APPROVERS,
    a_subaccount,
    click,
    latest_request,
    set_up_approvals,
)
from tests.slack.harness import ADMIN, MEMBER, Harness
from tests.slack.modals import filled_modal, modal_text
from tests.slack.test_home import buttons, click_home, open_home, text_of
from tests.slack.test_home_updates import policy_shown

OTHER = "COTHER1"


async def edit_form(h: Harness, item: str, block_id: str, user: str = ADMIN) -> View:
    home = await open_home(h, user)
    assert ("home_edit_setting", item) in buttons(home)
    await click_home(h, user, home, "home_edit_setting", item)
    return await filled_modal(h.fake, user, block_id)


async def submit(h: Harness, form: View, values: dict[str, Any], user: str = ADMIN) -> Any:
    delivery = await h.driver.submit_view(form, team_id=h.team_id, user_id=user, values=values)
    assert delivery.status == 200
    return delivery


def setting_shown(view: View | None, item: str) -> str:
    """What the Settings section shows of `item` (not the activity, which may name it too)."""
    for block in view.blocks if view is not None else []:
        if block.get("block_id") == f"home_setting_{item}":
            return str(block["text"]["text"])
    return ""


def dm_texts(h: Harness, user: str) -> str:
    return " ".join(m.text for m in h.fake.messages.get(f"D{user}", []))


async def auto_approve(h: Harness) -> Decimal:
    return (await get_policy(h.runtime.database, h.team_id)).auto_approve_limit


async def test_an_admin_tightens_the_policy_from_the_home_at_once(slack: Harness) -> None:
    await set_up_approvals(slack, auto_approve_limit=Decimal(20))
    form = await edit_form(slack, "policy", "setting")
    values = {"setting": {"setting": "auto-approve"}, "value": {"value": "5"}}
    await submit(slack, form, values)
    await slack.fake.wait_for(lambda: "5.00" in policy_shown(slack.fake.home_view(ADMIN)))
    assert await auto_approve(slack) == Decimal(5)
    assert "20.00" not in policy_shown(slack.fake.home_view(ADMIN))


async def test_loosening_the_policy_from_the_home_waits_for_another_approver(
    slack: Harness,
) -> None:
    await set_up_approvals(slack, auto_approve_limit=Decimal(20))
    form = await edit_form(slack, "policy", "setting")
    values = {"setting": {"setting": "auto-approve"}, "value": {"value": "50"}}
    await submit(slack, form, values)
    # The command's own answer, by DM (a modal has no response_url), and its card.
    await slack.fake.wait_for(lambda: "waits for an approver (not you)" in dm_texts(slack, ADMIN))
    [change] = await slack.runtime.settings_changes.pending(slack.team_id)
    assert change.card_channel_id == APPROVALS and change.card_ts
    assert await auto_approve(slack) == Decimal(20)


async def test_a_value_the_command_refuses_is_shown_on_the_form(slack: Harness) -> None:
    await set_up_approvals(slack, auto_approve_limit=Decimal(20))
    form = await edit_form(slack, "policy", "setting")
    values = {"setting": {"setting": "auto-approve"}, "value": {"value": "lots"}}
    delivery = await submit(slack, form, values)
    assert delivery.json["response_action"] == "errors" and "value" in delivery.json["errors"]
    assert await auto_approve(slack) == Decimal(20)


async def test_an_admin_adds_and_removes_an_approver_from_the_home(slack: Harness) -> None:
    await set_up_approvals(slack)
    member = Subject(SubjectKind.USER, MEMBER)
    form = await edit_form(slack, "approvers", "who")
    await submit(slack, form, {"verb": {"verb": "add"}, "who": {"who": MEMBER}})

    async def approvers() -> list[Subject]:
        return await slack.runtime.roles.members(slack.team_id, Role.APPROVER)

    await slack.fake.wait_for(
        lambda: f"<@{MEMBER}>" in setting_shown(slack.fake.home_view(ADMIN), "approvers")
    )
    assert member in await approvers()
    # Removing an approver loosens money control: it waits for another approver.
    form = await edit_form(slack, "approvers", "who")
    await submit(slack, form, {"verb": {"verb": "remove"}, "who": {"who": MEMBER}})
    await slack.fake.wait_for(lambda: "waits for an approver" in dm_texts(slack, ADMIN))
    assert member in await approvers()


async def test_a_member_cannot_change_settings_through_a_forged_form(slack: Harness) -> None:
    await set_up_approvals(slack, auto_approve_limit=Decimal(20))
    form = await edit_form(slack, "policy", "setting")  # as the admin saw it
    values = {"setting": {"setting": "auto-approve"}, "value": {"value": "5"}}
    await submit(slack, form, values, user=MEMBER)
    await slack.fake.wait_for(lambda: "admins" in dm_texts(slack, MEMBER).lower())
    assert await auto_approve(slack) == Decimal(20)


async def test_the_approvals_channel_is_chosen_from_the_home(slack: Harness) -> None:
    await set_up_approvals(slack)
    slack.fake.add_channel(slack.team_id, OTHER, "other")
    form = await edit_form(slack, "approvals-channel", "channel")
    assert "conversations_select" in modal_text(form)
    await submit(slack, form, {"channel": {"channel": OTHER}})

    async def channel() -> str | None:
        return (await get_policy(slack.runtime.database, slack.team_id)).approvals_channel_id

    # The same path as `/partner approvals-channel` typed there: moving the channel loosens
    # money control (approvers would stop seeing the cards), so it waits for an approver.
    await slack.fake.wait_for(lambda: "waits for an approver" in dm_texts(slack, ADMIN))
    assert await channel() == APPROVALS
    [change] = await slack.runtime.settings_changes.pending(slack.team_id)
    card = slack.fake.find_message(APPROVALS, change.card_ts or "")
    assert card is not None
    # Confirmed on its card by another approver: the admin's opened Home follows.
    await click(slack, APPROVERS[1], "setting_change_confirm", card)
    await slack.fake.wait_for(
        lambda: f"<#{OTHER}>" in setting_shown(slack.fake.home_view(ADMIN), "approvals-channel")
    )
    assert await channel() == OTHER


async def test_a_french_speaking_user_sees_the_home_in_french(slack: Harness) -> None:
    await set_up_approvals(slack)
    slack.fake.users[MEMBER].locale = "fr-FR"
    await slack.ask(f"credit add {a_subaccount(slack).email} 12")
    request = await latest_request(slack)
    text = text_of(await open_home(slack, MEMBER))
    assert "Mes demandes" in text and "Soldes" in text and "Activité récente" in text
    assert "My requests" not in text and "Balances" not in text
    assert f"n°\u00a0{request.number}" in text
    # Money the French way: the sign after the amount, a comma for decimals.
    assert "\u00a0€" in text
    # An English-speaking admin's Home stays English.
    assert "Settings" in text_of(await open_home(slack, ADMIN))


async def test_a_french_approver_decides_from_buttons_in_french(slack: Harness) -> None:
    await set_up_approvals(slack)
    approver = APPROVERS[0]
    slack.fake.users[approver].locale = "fr-FR"
    await slack.ask(f"credit add {a_subaccount(slack).email} 12")
    view = await open_home(slack, approver)
    labels = [
        element["text"]["text"]
        for block in view.blocks
        if block["type"] == "actions"
        for element in block["elements"]
        if element["type"] == "button"
    ]
    # The card's own buttons, in the reader's language (their texts are marked for the
    # catalogs but kept as English constants, so they must be translated where shown).
    assert "Approuver" in labels and "Refuser" in labels
    assert "Approve" not in labels and "Reject" not in labels


async def test_an_admin_approver_home_with_many_requests_stays_within_the_limits(
    slack: Harness,
) -> None:
    await set_up_approvals(slack, expiry_hours=48)
    await slack.runtime.roles.grant(
        slack.team_id, Role.APPROVER, Subject(SubjectKind.USER, ADMIN), ADMIN
    )
    # Past the requests the Home shows, its blocks are as many however many more wait.
    for n in range(WAITING_SHOWN + 2):
        await slack.ask(f"credit add {a_subaccount(slack).email} {n + 1} batch {n}")
    view = await open_home(slack, ADMIN)  # checks Block Kit's limits
    assert len(view.blocks) <= 100
    assert "Settings" in text_of(view) and "more waiting" in text_of(view)


async def test_the_alerts_channel_and_a_digest_are_set_from_the_home(slack: Harness) -> None:
    await set_up_approvals(slack)
    slack.fake.add_channel(slack.team_id, OTHER, "other")
    form = await edit_form(slack, "alerts-channel", "channel")
    await submit(slack, form, {"channel": {"channel": OTHER}})
    await slack.fake.wait_for(
        lambda: f"<#{OTHER}>" in setting_shown(slack.fake.home_view(ADMIN), "alerts-channel")
    )
    assert (await slack.runtime.alerts.config(slack.team_id)).channel_id == OTHER

    form = await edit_form(slack, "digest", "schedule")
    values = {
        "channel": {"channel": OTHER},
        "verb": {"verb": "subscribe"},
        "schedule": {"schedule": "08:30 Europe/Paris"},
    }
    await submit(slack, form, values)
    await slack.fake.wait_for(
        lambda: f"<#{OTHER}>" in setting_shown(slack.fake.home_view(ADMIN), "digest")
    )
    [subscription] = await slack.runtime.digests.subscriptions(slack.team_id)
    assert subscription.channel_id == OTHER
    # A schedule the command cannot read: the command's own refusal, by DM; nothing changed.
    form = await edit_form(slack, "digest", "schedule")
    values["schedule"] = {"schedule": "at teatime on Mars"}
    await submit(slack, form, values)
    await slack.fake.wait_for(lambda: "Write it as `/partner digest" in dm_texts(slack, ADMIN))
    assert await slack.runtime.digests.subscriptions(slack.team_id) == [subscription]
