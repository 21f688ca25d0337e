"""Low-balance alerts: fire once per crossing, re-arm, snooze, and offer a top-up."""

from __future__ import annotations

import json
from decimal import Decimal

from bot.partner.models import Product
from bot.services.requests import Status
from devkit.emulator import Message
from devkit.sandbox import DEMO_SMS_KEY
from tests.slack.approvals import APPROVALS, card_of, card_text, latest_request, set_up_approvals
from tests.slack.digests import posts_in, scheduler
from tests.slack.harness import ADMIN, CHANNEL, MEMBER, Harness, reply_text
from tests.slack.modals import filled_modal

ALERTS = "C0ALERTS"


async def set_up_alerts(h: Harness) -> None:
    h.fake.add_channel(h.team_id, ALERTS, "alerts")
    assert "will be posted in <#C0ALERTS>" in reply_text(
        await h.ask("alert channel", user=ADMIN, channel_id=ALERTS)
    )


async def check(h: Harness) -> None:
    reading = await h.runtime.snapshots.read(h.team_id, Product.SMS, "hourly")
    await scheduler(h).check_alerts(h.team_id, Product.SMS, reading)


def alerts_posted(h: Harness) -> list[Message]:
    return posts_in(h, ALERTS)


async def test_setting_thresholds_is_for_admins_and_listed(slack: Harness) -> None:
    assert "Only admins can set alerts" in reply_text(await slack.ask("alert subaccounts 5"))
    text = reply_text(await slack.ask("alert main 9000 5000", user=ADMIN))
    assert "SMS Partner main account: alert below €9,000.00, critical below €5,000.00" in text
    assert "No alert channel yet" in text
    assert "critical threshold must be below" in reply_text(
        await slack.ask("alert main 100 500", user=ADMIN)
    )
    sub = slack.sandbox.accounts[DEMO_SMS_KEY].subaccounts[0]
    await slack.ask(f"alert subaccount {sub.email} 12,5", user=ADMIN)
    listed = reply_text(await slack.ask("alert list"))
    assert "€9,000.00" in listed and sub.email in listed and "€12.50" in listed


async def test_an_alert_fires_once_and_rearms(slack: Harness) -> None:
    await set_up_alerts(slack)
    account = slack.sandbox.accounts[DEMO_SMS_KEY]
    sub = account.subaccounts[0]
    sub.balance = Decimal("50.000")
    await slack.ask(f"alert subaccount {sub.email} 20", user=ADMIN)
    await check(slack)
    assert alerts_posted(slack) == []
    sub.balance = Decimal("12.000")
    await check(slack)
    await check(slack)  # still low: no second alert
    [alert] = alerts_posted(slack)
    assert sub.email in alert.text and "€12.00" in str(alert.blocks)
    sub.balance = Decimal("25.000")  # back above: re-armed, silently
    await check(slack)
    sub.balance = Decimal("3.000")
    await check(slack)
    assert len(alerts_posted(slack)) == 2


async def test_main_account_alert_says_whom_to_ask(slack: Harness) -> None:
    await set_up_alerts(slack)
    await slack.ask("alert main 20000 11000", user=ADMIN)
    await check(slack)
    [alert] = alerts_posted(slack)
    text = str(alert.blocks)
    assert "critical threshold" in text and "ask" in text
    assert "alert_snooze" in text and "alert_topup" not in text


async def test_snooze_silences_for_a_day(slack: Harness) -> None:
    await set_up_alerts(slack)
    sub = slack.sandbox.accounts[DEMO_SMS_KEY].subaccounts[0]
    sub.balance = Decimal("1.000")
    await slack.ask(f"alert subaccount {sub.email} 20", user=ADMIN)
    await check(slack)
    [alert] = alerts_posted(slack)
    snooze = next(
        e
        for b in alert.blocks
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "alert_snooze"
    )
    click = await slack.driver.click(
        team_id=slack.team_id,
        user_id=ADMIN,  # a snooze silences it for everyone: admins only
        action_id="alert_snooze",
        value=snooze["value"],
        message=alert,
        channel_id=ALERTS,
    )
    replaced = await click.wait_response()
    assert replaced.body["replace_original"] and "snoozed until" in reply_text(replaced)
    sub.balance = Decimal("30.000")
    await check(slack)
    sub.balance = Decimal("2.000")
    await check(slack)
    assert len(alerts_posted(slack)) == 1  # snoozed: no new alert


async def test_request_top_up_opens_a_prefilled_request(slack: Harness) -> None:
    await set_up_alerts(slack)
    await set_up_approvals(slack)
    sub = slack.sandbox.accounts[DEMO_SMS_KEY].subaccounts[0]
    sub.balance = Decimal("1.000")
    await slack.ask(f"alert subaccount {sub.email} 20", user=ADMIN)
    await check(slack)
    [alert] = alerts_posted(slack)
    top_up = next(
        e
        for b in alert.blocks
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "alert_topup"
    )
    assert json.loads(top_up["value"])["s"] == sub.token
    await slack.driver.click(
        team_id=slack.team_id,
        user_id=MEMBER,
        action_id="alert_topup",
        value=top_up["value"],
        message=alert,
        channel_id=ALERTS,
    )
    form = await filled_modal(slack.fake, MEMBER, "amount")
    assert sub.email in json.dumps(form.view)
    # Pre-filled with what brings 1.00 EUR back to its 20 EUR threshold.
    [amount_field] = [b for b in form.view["blocks"] if b.get("block_id") == "amount"]
    assert amount_field["element"]["initial_value"] == "19"
    bad = await slack.driver.submit_view(
        form, team_id=slack.team_id, user_id=MEMBER, values={"amount": {"amount": "zero"}}
    )
    assert "amount" in bad.json["errors"]
    await slack.driver.submit_view(
        form,
        team_id=slack.team_id,
        user_id=MEMBER,
        values={"amount": {"amount": "40"}, "reason": {"reason": "ran dry"}},
    )
    await slack.fake.wait_for(lambda: slack.fake.messages.get(f"D{MEMBER}"))
    request = await latest_request(slack)
    assert (request.subaccount_token, request.amount, request.status) == (
        sub.token,
        Decimal(40),
        Status.PENDING,
    )
    assert (await card_of(slack, request.id)).channel == APPROVALS


async def test_hourly_snapshots_run_once_per_hour_and_check_alerts(slack: Harness) -> None:
    await set_up_alerts(slack)
    subs = slack.sandbox.accounts[DEMO_SMS_KEY].subaccounts
    low_before = {s.token: s.balance for s in subs if s.balance < 5}
    for sub in subs:
        sub.balance = Decimal("100.000")
    await slack.ask("alert subaccounts 5", user=ADMIN)  # reads the balances once, at once
    assert alerts_posted(slack) == []
    for sub in subs:
        sub.balance = low_before.get(sub.token, sub.balance)
    before = len(slack.sandbox.calls(product=Product.SMS, endpoint="/me"))
    workers = [scheduler(slack, f"w{n}") for n in range(3)]
    for worker in workers:
        await worker.run_hourly()
    lists = slack.sandbox.calls(product=Product.SMS, endpoint="/me")
    assert len(lists) == before + 1  # one snapshot this hour, whichever worker took it
    low = [s for s in slack.sandbox.accounts[DEMO_SMS_KEY].subaccounts if s.balance < 5]
    # Many subaccounts crossing at once (the first check after setting the threshold) make
    # one summary, not one message each.
    assert len(low) >= 4
    [summary] = alerts_posted(slack)
    assert f"{len(low)} subaccounts are below their alert threshold" in summary.text + str(
        summary.blocks
    )
    for sub in low:
        assert sub.email in str(summary.blocks)
    assert posts_in(slack, CHANNEL) == []


async def test_a_few_subaccounts_below_are_alerted_one_by_one(slack: Harness) -> None:
    await set_up_alerts(slack)
    subs = slack.sandbox.accounts[DEMO_SMS_KEY].subaccounts
    for sub in subs:
        sub.balance = Decimal("100.000")
    for sub in subs[:3]:
        sub.balance = Decimal("1.000")
    await slack.ask("alert subaccounts 5", user=ADMIN)
    await check(slack)
    posted = alerts_posted(slack)
    assert len(posted) == 3
    assert all("alert_topup" in str(m.blocks) for m in posted)


async def test_a_second_top_up_of_the_same_asks_before_a_second_request(slack: Harness) -> None:
    """The top-up form asks through the same service call as `/partner credit add`: the same
    "you asked for the same thing moments ago" question, by DM since the form is closed, and
    "Send another" makes the second request, marked as like the first."""
    await set_up_alerts(slack)
    await set_up_approvals(slack)
    sub = slack.sandbox.accounts[DEMO_SMS_KEY].subaccounts[0]
    sub.balance = Decimal("1.000")
    await slack.ask(f"alert subaccount {sub.email} 20", user=ADMIN)
    await check(slack)
    [alert] = alerts_posted(slack)

    async def top_up_from_the_alert() -> None:
        before = {m.id for m in slack.fake.open_modals(MEMBER)}
        await slack.driver.click(
            team_id=slack.team_id,
            user_id=MEMBER,
            action_id="alert_topup",
            message=alert,
            channel_id=ALERTS,
        )
        form = await filled_modal(slack.fake, MEMBER, "amount")
        assert form.id not in before
        await slack.driver.submit_view(
            form,
            team_id=slack.team_id,
            user_id=MEMBER,
            values={"amount": {"amount": "19"}, "reason": {"reason": "ran dry"}},
        )

    def dms() -> list[Message]:
        return slack.fake.messages.get(f"D{MEMBER}", [])

    await top_up_from_the_alert()
    await slack.fake.wait_for(dms)
    first = await latest_request(slack)
    assert first.status is Status.PENDING

    await top_up_from_the_alert()
    [question] = await slack.fake.wait_for(
        lambda: [m for m in dms() if "You asked for the same thing" in card_text(m)]
    )
    assert f"request #{first.number}" in card_text(question)
    assert [r.id for r in await slack.runtime.requests.of_requester(slack.team_id, MEMBER)] == [
        first.id
    ]

    click = await slack.driver.click(
        team_id=slack.team_id,
        user_id=MEMBER,
        action_id="request_confirm_similar",
        message=question,
    )
    await click.wait_response(count=2)  # the question's removal, then the answer
    second = await latest_request(slack)
    assert (second.similar_to, second.amount, second.status) == (
        first.id,
        Decimal(19),
        Status.PENDING,
    )


async def test_a_threshold_set_under_the_balance_says_so_and_alerts_at_once(
    slack: Harness,
) -> None:
    await set_up_alerts(slack)
    sub = slack.sandbox.accounts[DEMO_SMS_KEY].subaccounts[0]
    sub.balance = Decimal("12.000")
    text = reply_text(await slack.ask(f"alert subaccount {sub.email} 20", user=ADMIN))
    assert f"{sub.email} is already below it, at €12.00" in text
    assert "The alert is posted in <#C0ALERTS> now" in text
    [alert] = alerts_posted(slack)  # now, not at the next hourly round
    assert sub.email in alert.text and "alert_topup" in str(alert.blocks)
    await check(slack)
    assert len(alerts_posted(slack)) == 1  # the round that follows does not repeat it

    balance = slack.sandbox.accounts[DEMO_SMS_KEY].balance
    text = reply_text(await slack.ask(f"alert main {balance + 1000:f}", user=ADMIN))
    assert "The main account is already below it" in text and "posted in" in text
    assert len(alerts_posted(slack)) == 2
    # Above the balance: nothing to say, nothing posted.
    text = reply_text(await slack.ask(f"alert subaccount {sub.email} 5", user=ADMIN))
    assert "already below" not in text and len(alerts_posted(slack)) == 2


async def test_a_threshold_under_the_balance_without_an_alert_channel_still_says_so(
    slack: Harness,
) -> None:
    subs = slack.sandbox.accounts[DEMO_SMS_KEY].subaccounts
    for sub in subs:
        sub.balance = Decimal("100.000")
    for sub in subs[:2]:
        sub.balance = Decimal("1.000")
    text = reply_text(await slack.ask("alert subaccounts 5", user=ADMIN))
    assert "2 subaccounts are already below it" in text and "No alert channel yet" in text


async def test_the_grouped_alert_offers_a_top_up_for_each_row(slack: Harness) -> None:
    await set_up_alerts(slack)
    await set_up_approvals(slack)
    subs = slack.sandbox.accounts[DEMO_SMS_KEY].subaccounts
    for n, sub in enumerate(subs[:5]):
        sub.balance = Decimal(n + 1)
    for sub in subs[5:]:
        sub.balance = Decimal("100.000")
    await slack.ask("alert subaccounts 10", user=ADMIN)
    [summary] = alerts_posted(slack)
    buttons = [
        b["accessory"] for b in summary.blocks if b.get("accessory", {}).get("type") == "button"
    ]
    assert [json.loads(b["value"])["s"] for b in buttons] == [s.token for s in subs[:5]]
    assert all(b["text"]["text"] == "Request top-up" for b in buttons)
    third = buttons[2]  # 3.00 EUR under 10: a top-up of 7 brings it back
    await slack.driver.click(
        team_id=slack.team_id,
        user_id=MEMBER,
        action_id=third["action_id"],
        value=third["value"],
        message=summary,
        channel_id=ALERTS,
    )
    form = await filled_modal(slack.fake, MEMBER, "amount")
    assert subs[2].email in json.dumps(form.view)
    [amount_field] = [b for b in form.view["blocks"] if b.get("block_id") == "amount"]
    assert amount_field["element"]["initial_value"] == "7"
    await slack.driver.submit_view(
        form, team_id=slack.team_id, user_id=MEMBER, values={"amount": {"amount": "7"}}
    )
    await slack.fake.wait_for(lambda: slack.fake.messages.get(f"D{MEMBER}"))
    request = await latest_request(slack)
    assert (request.subaccount_token, request.amount) == (subs[2].token, Decimal(7))


async def test_the_grouped_alert_keeps_our_own_backticks_in_french(slack: Harness) -> None:
    await set_up_alerts(slack)
    await slack.ask("language fr", user=ADMIN)
    subs = slack.sandbox.accounts[DEMO_SMS_KEY].subaccounts
    for sub in subs[:4]:
        sub.balance = Decimal("1.000")
    await slack.ask("alert subaccounts 5", user=ADMIN)
    [summary] = alerts_posted(slack)
    [hint] = [b for b in summary.blocks if b["type"] == "context"]
    shown = hint["elements"][0]["text"]
    assert "`/partner " in shown and "\u02cb" not in shown


async def test_a_main_threshold_before_any_key_is_kept_with_nothing_to_read(
    slack_unconfigured: Harness,
) -> None:
    slack = slack_unconfigured
    text = reply_text(await slack.ask("alert main 500", user=ADMIN))
    assert "SMS Partner main account: alert below €500.00" in text
    assert "No alert channel yet" in text and "already below" not in text
    assert "€500.00" in reply_text(await slack.ask("alert list"))
    assert slack.sandbox.calls(product=Product.SMS) == []
