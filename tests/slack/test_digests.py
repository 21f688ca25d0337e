"""Daily digests: subscribing, what they say, and posting each exactly once."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from bot.clock import utcnow
from bot.money import format_money
from bot.partner.models import Product
from bot.services.alerts import Scope
from bot.services.schedule import SubscriptionSpec
from bot.slack.digests.parsing import parse_subscription
from devkit.sandbox import DEMO_SMS_KEY, Fault, FaultKind
from tests.slack.digests import make_due, posts_in, scheduler, seed_history
from tests.slack.harness import ADMIN, AN_ORDINARY_MORNING, CHANNEL, MEMBER, Harness, reply_text


def spec(words: str) -> SubscriptionSpec:
    return parse_subscription(words.split(), default_zone="Europe/Paris")


async def test_subscribe_list_and_unsubscribe(slack: Harness) -> None:
    text = reply_text(await slack.ask("digest subscribe 07:30 mon-fri sms", user=ADMIN))
    # The readers are in Paris (the emulator's default zone): their own zone goes unnamed.
    assert "07:30, Mon–Fri" in text and "Europe/Paris" not in text and "SMS Partner" in text
    listed = reply_text(await slack.ask("digest list"))
    assert "<#C0GENERAL>" in listed and "07:30, Mon–Fri" in listed
    assert "no longer gets a digest" in reply_text(
        await slack.ask("digest unsubscribe", user=ADMIN)
    )
    assert "No channel gets a digest" in reply_text(await slack.ask("digest list"))


async def test_a_digest_can_go_to_the_apps_messages_tab(slack: Harness) -> None:
    # conversations.info on a DM needs im:read: without it Slack answers missing_scope.
    dm = slack.fake.open_dm(slack.team_id, ADMIN)
    text = reply_text(await slack.ask("digest subscribe 07:30", user=ADMIN, channel_id=dm.id))
    assert "07:30, every day" in text
    [subscription] = await slack.runtime.digests.subscriptions(slack.team_id)
    assert subscription.channel_id == dm.id


@pytest.mark.parametrize(
    ("words", "message"),
    [
        ("25:00", "25:00"),
        ("09:00 Europe/Pariss", "Europe/Paris"),
        ("09:00 10:00", "10:00"),
        ("banana", "banana"),
    ],
)
async def test_bad_subscriptions_say_what_to_type(slack: Harness, words: str, message: str) -> None:
    text = reply_text(await slack.ask(f"digest subscribe {words}", user=ADMIN))
    assert message in text and "subscribe" in text
    assert await slack.runtime.digests.subscriptions(slack.team_id) == []


async def test_only_admins_and_approvers_subscribe_and_the_bot_must_be_in(slack: Harness) -> None:
    refused = reply_text(await slack.ask("digest subscribe"))
    assert "Only Partner Ops admins and approvers" in refused
    slack.fake.add_channel(slack.team_id, "C0OUTSIDE", "outside", bot_is_member=False)
    text = reply_text(await slack.ask("digest subscribe", user=ADMIN, channel_id="C0OUTSIDE"))
    assert "/invite @Partner Ops" in text


async def test_the_digest_shows_trends_attention_and_pending(slack: Harness) -> None:
    account = slack.sandbox.accounts[DEMO_SMS_KEY]
    subs = {s.token: s.balance for s in account.subaccounts}
    # A week of history: the main account went down by 100 EUR a day, subaccounts unchanged.
    history = [account.balance + 100 * n for n in range(7, 0, -1)]
    with time_machine.travel(AN_ORDINARY_MORNING, tick=True):
        await seed_history(slack, Product.SMS, history, subs)
        await slack.runtime.alerts.set_threshold(
            slack.team_id, Product.SMS, Scope.SUBACCOUNTS, Decimal(5), ADMIN
        )
        await slack.runtime.digests.subscribe(slack.team_id, CHANNEL, spec("09:00 sms"), ADMIN)
        # Due now, not a minute ago: the "since last digest" baseline is the 09:00 before the
        # run, and a run a minute back would put it before yesterday's reading between 09:00
        # and 09:01.
        await make_due(slack, CHANNEL, utcnow())
        await scheduler(slack).run_once()

    [digest] = posts_in(slack, CHANNEL)
    text = digest.text + str(digest.blocks)
    assert "€10,225.119" in text
    assert "-€100.00" in text  # since the previous digest (yesterday)
    assert "-€700.00" in text  # over 7 days
    assert any(spark in text for spark in "▁▂▃▄▅▆▇█")
    total = account.total()
    assert f"≈ {(total / 100).quantize(Decimal('0.1'), rounding='ROUND_FLOOR')} days" in text
    low = [s for s in account.subaccounts if s.balance < 5]
    assert low and all(s.email in text for s in low)
    assert "45 subaccounts" in text and "attached CSV" in text
    [upload] = slack.fake.files
    rows = list(csv.reader(io.StringIO(upload.content.decode())))
    assert len(rows) == 46 and rows[0][:2] == ["product", "email"]
    assert {r[1] for r in rows[1:]} == {s.email for s in account.subaccounts}
    assert "No request waiting for approval" in text


async def test_a_due_digest_is_posted_once_and_rescheduled(slack: Harness) -> None:
    await slack.runtime.digests.subscribe(slack.team_id, CHANNEL, spec("09:00 mail"), ADMIN)
    await make_due(slack, CHANNEL, utcnow() - timedelta(minutes=2))
    await scheduler(slack).run_once()
    await scheduler(slack).run_once()
    assert len(posts_in(slack, CHANNEL)) == 1
    [subscription] = await slack.runtime.digests.subscriptions(slack.team_id)
    assert subscription.next_run_at > utcnow()
    assert subscription.last_posted_at is not None


async def test_three_workers_post_each_digest_exactly_once(slack: Harness) -> None:
    channels = ["C0DIGA", "C0DIGB", "C0DIGC"]
    for channel in channels:
        slack.fake.add_channel(slack.team_id, channel, channel.lower())
        await slack.runtime.digests.subscribe(slack.team_id, channel, spec("09:00 voice"), ADMIN)
        await make_due(slack, channel, utcnow() - timedelta(minutes=1))
    workers = [scheduler(slack, f"worker-{n}") for n in range(3)]
    await asyncio.gather(*(w.run_due_digests() for w in workers))
    assert [len(posts_in(slack, c)) for c in channels] == [1, 1, 1]


async def test_a_missed_run_is_posted_late_within_six_hours(slack: Harness) -> None:
    await slack.runtime.digests.subscribe(slack.team_id, CHANNEL, spec("09:00 voice"), ADMIN)
    await make_due(slack, CHANNEL, utcnow() - timedelta(hours=2))
    await scheduler(slack).run_once()
    [digest] = posts_in(slack, CHANNEL)
    assert "min late" in str(digest.blocks)


async def test_a_run_missed_by_more_than_six_hours_is_dropped(
    slack: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    await slack.runtime.digests.subscribe(slack.team_id, CHANNEL, spec("09:00 voice"), ADMIN)
    await make_due(slack, CHANNEL, utcnow() - timedelta(hours=7))
    await scheduler(slack).run_once()
    assert posts_in(slack, CHANNEL) == []
    assert "more than 6 h late" in caplog.text
    [subscription] = await slack.runtime.digests.subscriptions(slack.team_id)
    assert subscription.next_run_at > utcnow()


async def test_a_vendor_down_still_gets_a_digest_saying_so(slack: Harness) -> None:
    slack.sandbox.inject(Fault(FaultKind.HTML_PAGE, product=Product.SMS, times=None))
    await slack.runtime.digests.subscribe(slack.team_id, CHANNEL, spec("09:00"), ADMIN)
    await make_due(slack, CHANNEL, utcnow() - timedelta(minutes=1))
    await scheduler(slack).run_once()
    [digest] = posts_in(slack, CHANNEL)
    text = str(digest.blocks)
    assert "SMS Partner* could not be read" in text
    assert "Mail Partner" in text and "Voice Partner" in text


async def test_slack_rate_limits_during_a_digest_are_waited_out(slack: Harness) -> None:
    await slack.runtime.digests.subscribe(slack.team_id, CHANNEL, spec("09:00 voice"), ADMIN)
    await make_due(slack, CHANNEL, utcnow() - timedelta(minutes=1))
    slack.fake.rate_limit("chat.postMessage", retry_after=1)
    await scheduler(slack).run_once()
    calls = slack.fake.calls_to("chat.postMessage")
    assert [c.error for c in calls] == ["ratelimited", None]
    assert len(posts_in(slack, CHANNEL)) == 1


async def test_a_broken_channel_is_reported_once_and_spoils_no_other(slack: Harness) -> None:
    slack.fake.add_channel(slack.team_id, "C0GONE", "gone", is_archived=True)
    slack.fake.add_channel(slack.team_id, "C0FINE", "fine")
    for channel in ("C0GONE", "C0FINE"):
        await slack.runtime.digests.subscribe(slack.team_id, channel, spec("09:00 voice"), ADMIN)
        await make_due(slack, channel, utcnow() - timedelta(minutes=1))
    await scheduler(slack).run_once()
    assert len(posts_in(slack, "C0FINE")) == 1
    dms = [m.text for m in slack.fake.messages.get(f"D{ADMIN}", [])]
    assert len(dms) == 1 and "could not be posted (is_archived)" in dms[0]
    await make_due(slack, "C0GONE", utcnow() - timedelta(minutes=1))
    await scheduler(slack).run_once()
    assert len(slack.fake.messages.get(f"D{ADMIN}", [])) == 1  # reported once
    listed = reply_text(await slack.ask("digest list"))
    assert "last attempt failed (is_archived)" in listed


async def test_now_and_preview(slack: Harness) -> None:
    assert "Only Partner Ops admins and approvers" in reply_text(await slack.ask("digest now"))
    preview = reply_text(await slack.ask("digest preview", user=MEMBER))
    assert "Balance digest" in preview and "€10,225.119" in preview
    assert posts_in(slack, CHANNEL) == []
    assert "Digest posted" in reply_text(await slack.ask("digest now", user=ADMIN))
    assert len(posts_in(slack, CHANNEL)) == 1


@pytest.mark.parametrize(
    ("start", "expected_utc"),
    [
        # Spring forward: 02:30 does not exist on 29 March; it runs at 03:00 local (01:00 UTC).
        ("2026-03-28T12:00:00", ["2026-03-29 01:00", "2026-03-30 00:30"]),
        # Fall back: 02:30 happens twice on 25 October; it runs once, the first time.
        ("2026-10-24T12:00:00", ["2026-10-25 00:30", "2026-10-26 01:30"]),
    ],
)
async def test_across_daylight_saving_changes_in_paris(
    slack: Harness, start: str, expected_utc: list[str]
) -> None:
    with time_machine.travel(
        datetime.fromisoformat(start).replace(tzinfo=UTC), tick=False
    ) as clock:
        await slack.runtime.digests.subscribe(slack.team_id, CHANNEL, spec("02:30 voice"), ADMIN)
        posted_at = []
        for _ in range(48 * 4):  # two days, a quarter of an hour at a time
            clock.shift(timedelta(minutes=15))
            before = len(posts_in(slack, CHANNEL))
            await scheduler(slack).run_due_digests()
            if len(posts_in(slack, CHANNEL)) > before:
                posted_at.append(utcnow().strftime("%Y-%m-%d %H:%M"))
    assert posted_at == expected_utc


async def test_the_digest_flags_a_main_account_below_its_warning(slack: Harness) -> None:
    balance = slack.sandbox.accounts[DEMO_SMS_KEY].balance
    alerts = slack.runtime.alerts
    await alerts.set_threshold(slack.team_id, Product.SMS, Scope.MAIN, balance + 1, ADMIN)
    text = reply_text(await slack.ask("digest preview", user=MEMBER))
    warn = format_money(balance + 1)
    assert f"The main account is below its warning threshold of {warn}" in text
    await alerts.set_threshold(
        slack.team_id, Product.SMS, Scope.MAIN, balance + 2, ADMIN, critical=balance + 1
    )
    text = reply_text(await slack.ask("digest preview", user=MEMBER))
    assert f"below its critical threshold of {warn}" in text
    await alerts.set_threshold(slack.team_id, Product.SMS, Scope.MAIN, balance - 1, ADMIN)
    assert "The main account is below" not in reply_text(
        await slack.ask("digest preview", user=MEMBER)
    )


async def test_needs_attention_says_how_many_more_it_leaves_out(slack: Harness) -> None:
    subs = slack.sandbox.accounts[DEMO_SMS_KEY].subaccounts
    await slack.runtime.alerts.set_threshold(
        slack.team_id, Product.SMS, Scope.SUBACCOUNTS, Decimal(1000), ADMIN
    )
    below = [s for s in subs if s.balance < 1000]
    assert len(below) > 10
    text = reply_text(await slack.ask("digest preview", user=MEMBER))
    assert f"…and {len(below) - 10} more" in text


async def test_the_preview_sends_the_csv_it_mentions(slack: Harness) -> None:
    text = reply_text(await slack.ask("digest preview", user=MEMBER))
    assert "attached CSV" in text and "in your direct messages" in text
    [upload] = slack.fake.files
    assert upload.channel_id == f"D{MEMBER}"
    rows = list(csv.reader(io.StringIO(upload.content.decode())))
    emails = {s.email for s in slack.sandbox.accounts[DEMO_SMS_KEY].subaccounts}
    assert emails <= {r[1] for r in rows[1:]}
    assert posts_in(slack, CHANNEL) == []  # a preview posts nothing in the channel
