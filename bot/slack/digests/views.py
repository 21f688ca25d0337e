"""A digest as a Slack message; the full subaccount list as CSV when it would not fit."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.dates import format_date
from slack_sdk.models.blocks import (
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.i18n import current_language
from bot.i18n.formatting import joined, number
from bot.i18n.times import clock, weekdays
from bot.money import format_money
from bot.partner.models import MailAccount, SmsAccount
from bot.services.alerts import Level
from bot.services.digests import Digest, ProductDigest
from bot.services.schedule import DigestSchedule
from bot.slack.blocks import escape, fit, slack_date
from bot.slack.digests import texts as text
from bot.slack.requests.views import what
from bot.slack.views.reply import Reply

INLINE_SUBACCOUNTS = 10
"""Up to this many subaccounts a product lists them all; beyond, a CSV carries them."""
ATTENTION_LINES = 10
PENDING_SHOWN = 5


def digest_reply(digest: Digest, *, show_pending: bool = True) -> tuple[Reply, str | None]:
    """The message, and the CSV of every subaccount when they are too many to list.
    `show_pending=False` leaves out the requests awaiting approval (a member's preview)."""
    zone = ZoneInfo(digest.zone)
    local = digest.generated_at.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone)
    day = format_date(local, "EEEE d MMMM y", locale=current_language())
    blocks: list = [HeaderBlock(text=text.TITLE.format(date=day))]
    notes = []
    if digest.late_by is not None:
        scheduled = digest.generated_at - digest.late_by
        notes.append(
            text.LATE.format(
                minutes=number(int(digest.late_by.total_seconds() // 60)),
                scheduled=slack_date(scheduled, "{time}"),
            )
        )
    if digest.since is not None:
        notes.append(text.SINCE.format(since=slack_date(digest.since)))
    else:
        notes.append(str(text.SINCE_DAY))
    if notes:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=n) for n in notes]))
    needs_csv = False
    summary = []
    for part in digest.products:
        blocks.append(DividerBlock())
        if part.account is None:
            blocks.append(
                SectionBlock(
                    text=fit(
                        text.UNREADABLE.format(
                            product=part.product.label,
                            detail=escape(part.failure or str(text.NO_ANSWER)),
                        )
                    )
                )
            )
            summary.append(text.SUMMARY_UNAVAILABLE.format(product=part.product.label))
            continue
        blocks += _product_blocks(part, one_off=digest.since is None)
        summary.append(f"{part.product.label} {format_money(part.account.balance)}")
        needs_csv = needs_csv or len(part.subaccounts) > INLINE_SUBACCOUNTS
    blocks.append(DividerBlock())
    blocks.append(
        SectionBlock(text=fit(_pending(digest) if show_pending else str(text.PENDING_HIDDEN)))
    )
    reply = Reply(text=text.FALLBACK.format(summary=joined(summary)), blocks=blocks)
    return reply, (subaccounts_csv(digest) if needs_csv else None)


def _product_blocks(part: ProductDigest, *, one_off: bool) -> list:
    account = part.account
    assert account is not None
    fields = [
        (text.CHANGE_DAY if one_off else text.CHANGE_LAST).format(
            change=_signed(part.change_since_last)
        ),
        text.CHANGE_WEEK.format(change=_signed(part.change_7_days), spark=part.sparkline),
        text.days_left(int(part.days_left)).format(days=number(part.days_left))
        if part.days_left is not None
        else str(text.DAYS_LEFT_NONE),
    ]
    if isinstance(account, SmsAccount):
        fields.append(
            text.COUNTERS_SMS.format(
                sms=number(account.credit_sms), eco=number(account.credit_sms_eco)
            )
        )
    elif isinstance(account, MailAccount):
        fields.append(text.COUNTERS_MAIL.format(mail=number(account.credit_mail)))
    blocks: list = [
        SectionBlock(
            text=text.PRODUCT.format(
                product=part.product.label, balance=format_money(account.balance, account.currency)
            ),
            fields=[MarkdownTextObject(text=f) for f in fields],
        )
    ]
    if part.main_alert is not None:
        level, threshold = part.main_alert
        below = text.MAIN_CRITICAL if level is Level.CRITICAL else text.MAIN_WARN
        blocks.append(SectionBlock(text=below.format(threshold=format_money(threshold))))
    if part.attention:
        lines = [str(text.ATTENTION_TITLE)]
        for item in part.attention[:ATTENTION_LINES]:
            email = escape(part.email_of(item.token))
            if item.reason == "below_threshold":
                lines.append(
                    text.BELOW.format(
                        email=email,
                        balance=format_money(item.balance),
                        threshold=format_money(item.threshold or 0),
                    )
                )
            else:
                lines.append(
                    text.SPENDER.format(
                        email=email,
                        balance=format_money(item.balance),
                        spent=format_money(item.spent or 0),
                    )
                )
        if len(part.attention) > ATTENTION_LINES:
            more = len(part.attention) - ATTENTION_LINES
            lines.append(text.attention_more(more).format(count=number(more)))
        blocks.append(SectionBlock(text=fit("\n".join(lines))))
    if part.subaccounts:
        totals = text.totals(len(part.subaccounts)).format(
            count=number(len(part.subaccounts)), total=format_money(part.subaccount_total)
        )
        if len(part.subaccounts) > INLINE_SUBACCOUNTS:
            totals += " · " + str(text.FULL_LIST_ATTACHED)
        else:
            blocks.append(
                SectionBlock(
                    text=fit(
                        "\n".join(
                            text.SUBACCOUNT_LINE.format(
                                email=escape(s.email or s.token), balance=format_money(s.balance)
                            )
                            for s in part.subaccounts
                        )
                    )
                )
            )
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=totals)]))
    return blocks


def _pending(digest: Digest) -> str:
    if not digest.pending:
        return str(text.PENDING_NONE)
    items = ", ".join(
        text.PENDING_ITEM.format(id=r.number, what=what(r)) for r in digest.pending[:PENDING_SHOWN]
    )
    if len(digest.pending) > PENDING_SHOWN:
        more = len(digest.pending) - PENDING_SHOWN
        items += text.and_more(more).format(count=number(more))
    count = len(digest.pending)
    return text.pending(count).format(count=number(count), items=items)


def schedule_text(schedule: DigestSchedule) -> str:
    """`08:30, Mon–Fri` to a reader in the schedule's zone, `08:30 Europe/Paris, Mon–Fri` to
    one elsewhere, in the reader's language."""
    return f"{clock(schedule.at, schedule.zone)}, {weekdays(schedule.weekdays)}"


def subaccounts_csv(digest: Digest) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["product", "email", "id", "type", "balance_eur", "created"])
    for part in digest.products:
        for sub in part.subaccounts:
            writer.writerow(
                [
                    part.product.value,
                    _inert(sub.email),
                    sub.id,
                    sub.type,
                    f"{sub.balance:f}",
                    sub.created_at.strftime("%Y-%m-%d") if sub.created_at else "",
                ]
            )
    return out.getvalue()


def _signed(change: Decimal | None) -> str:
    if change is None:
        return text.NO_HISTORY
    return ("+" if change > 0 else "") + format_money(change)


def _inert(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value
