"""`/partner setup`: admins only; each key checked with `/me` before it is saved, encrypted."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import WorkspacePartnerKey
from bot.partner.models import Product
from devkit.emulator import View
from devkit.sandbox import DEMO_MAIL_KEY, DEMO_SMS_KEY
from tests.slack.harness import ADMIN, MEMBER, Harness, reply_text
from tests.slack.modals import filled_modal, modal_saying, modal_text


async def open_modal(slack: Harness) -> View:
    await slack.command("setup", user=ADMIN)
    return await filled_modal(slack.fake, ADMIN, "key_sms")


async def stored_keys(slack: Harness) -> list[WorkspacePartnerKey]:
    async with slack.runtime.database.session() as session:
        return list((await session.scalars(select(WorkspacePartnerKey))).all())


async def test_members_may_not_set_up(slack_unconfigured: Harness) -> None:
    slack = slack_unconfigured
    await slack.command("setup", user=MEMBER)
    # The modal opens before the check (the trigger_id would die waiting), then says no.
    refused = await modal_saying(
        slack.fake, MEMBER, "Only workspace admins and owners can set up Partner API keys"
    )
    assert not any(block.get("type") == "input" for block in refused.blocks)
    assert refused.view.get("submit") is None


async def test_admin_saves_a_checked_key_encrypted(slack_unconfigured: Harness) -> None:
    slack = slack_unconfigured
    modal = await open_modal(slack)
    assert {b.get("block_id") for b in modal.view["blocks"]} >= {"key_sms", "key_mail", "key_voice"}
    assert "Not set up yet" in modal_text(modal)

    delivery = await slack.driver.submit_view(
        modal,
        team_id=slack.team_id,
        user_id=ADMIN,
        values={
            "key_sms": {"api_key": f"  {DEMO_SMS_KEY} "},
            "key_mail": {"api_key": DEMO_MAIL_KEY},
        },
    )
    assert delivery.json["response_action"] == "update"
    await slack.fake.wait_for(lambda: "Keys saved" in modal_text(slack.fake.views[modal.id]))
    done = modal_text(slack.fake.views[modal.id])
    assert "€10,225.119" in done and "…2e7b" in done
    assert DEMO_SMS_KEY not in done

    rows = {row.product: row for row in await stored_keys(slack)}
    assert set(rows) == {"sms", "mail"}
    assert DEMO_SMS_KEY not in rows["sms"].encrypted_key  # encrypted at rest
    assert slack.runtime.box.decrypt(rows["sms"].encrypted_key) == DEMO_SMS_KEY
    assert rows["sms"].fingerprint == "…2e7b" and rows["sms"].set_by == ADMIN
    assert [c.endpoint for c in slack.sandbox.calls()] == ["/me", "/me"]

    text = reply_text(await slack.ask("balance"))  # everyone can use it now
    assert "€10,225.119" in text and "Mail Partner" in text


async def test_a_refused_key_is_shown_in_the_modal_and_nothing_is_saved(
    slack_unconfigured: Harness,
) -> None:
    slack = slack_unconfigured
    modal = await open_modal(slack)
    await slack.driver.submit_view(
        modal,
        team_id=slack.team_id,
        user_id=ADMIN,
        values={
            "key_sms": {"api_key": DEMO_SMS_KEY},
            "key_mail": {"api_key": "not-a-real-key-12345"},
        },
    )
    await slack.fake.wait_for(lambda: "Nothing was saved" in modal_text(slack.fake.views[modal.id]))
    shown = modal_text(slack.fake.views[modal.id])
    assert "Mail Partner" in shown and "not valid" in shown and "code 10" in shown
    assert "not-a-real-key-12345" not in shown
    assert await stored_keys(slack) == []  # all or nothing: the good SMS key was not saved either


async def test_empty_submission_is_refused_inline(slack_unconfigured: Harness) -> None:
    slack = slack_unconfigured
    modal = await open_modal(slack)
    delivery = await slack.driver.submit_view(
        modal, team_id=slack.team_id, user_id=ADMIN, values={}
    )
    assert delivery.json["response_action"] == "errors"
    assert "at least one" in slack.fake.views[modal.id].errors["key_sms"]


async def test_replacing_a_key_shows_only_its_fingerprint(slack_unconfigured: Harness) -> None:
    slack = slack_unconfigured
    await slack.runtime.keys.save(slack.team_id, {Product.SMS: DEMO_SMS_KEY}, ADMIN)
    modal = await open_modal(slack)
    text = modal_text(modal)
    assert "Current key: …2e7b" in text and DEMO_SMS_KEY not in text


async def test_a_member_cannot_submit_a_modal_opened_by_an_admin(
    slack_unconfigured: Harness,
) -> None:
    slack = slack_unconfigured
    modal = await open_modal(slack)
    delivery = await slack.driver.submit_view(
        modal, team_id=slack.team_id, user_id=MEMBER, values={"key_sms": {"api_key": DEMO_SMS_KEY}}
    )
    assert delivery.json["response_action"] == "update"  # acknowledged before users.info
    await slack.fake.wait_for(
        lambda: "Only workspace admins and owners" in modal_text(slack.fake.views[modal.id])
    )
    assert await stored_keys(slack) == []
    assert slack.sandbox.calls() == []  # the key was not even tried


async def test_slack_rate_limits_are_retried(slack_unconfigured: Harness) -> None:
    slack = slack_unconfigured
    slack.fake.rate_limit("users.info", retry_after=0)
    await open_modal(slack)
    first, second = slack.fake.calls_to("users.info")[:2]
    assert first.error == "ratelimited" and second.error is None


async def test_saving_keys_republishes_the_admins_home(slack_unconfigured: Harness) -> None:
    """The Home of whoever set up shows the new keys at once (bot.slack.parts.HomeRefresh: the
    setup feature redraws it without importing the Home)."""
    slack = slack_unconfigured
    modal = await open_modal(slack)
    before = len(slack.fake.calls_to("views.publish"))
    await slack.driver.submit_view(
        modal, team_id=slack.team_id, user_id=ADMIN, values={"key_sms": {"api_key": DEMO_SMS_KEY}}
    )
    published = await slack.fake.wait_for(
        lambda: [
            call
            for call in slack.fake.calls_to("views.publish")[before:]
            if call.args.get("user_id") == ADMIN
        ]
    )
    assert published[-1].error is None
    assert "Keys saved" in modal_text(slack.fake.views[modal.id])
