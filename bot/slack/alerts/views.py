"""Alert messages, the alert list, and the pre-filled top-up form."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.i18n.formatting import number
from bot.money import format_money
from bot.partner.models import Product
from bot.services.alerts import AlertConfig, Level, Scope, ThresholdCrossed
from bot.services.requests import MAX_REASON
from bot.slack.alerts import texts as text
from bot.slack.blocks import escape, fit, slack_date, text_input
from bot.slack.views.reply import Reply

TOPUP_ACTION = "alert_topup"
TOPUP_ACTIONS = re.compile(r"^alert_topup(?:_\d+)?$")
"""A summary's rows each have a Request top-up: action ids are unique in a message."""
SNOOZE_ACTION = "alert_snooze"
TOPUP_CALLBACK = "alert_topup_form"


def alert_reply(crossed: ThresholdCrossed, who_to_ask: Sequence[str]) -> Reply:
    product = crossed.product.label
    balance, threshold = format_money(crossed.balance), format_money(crossed.threshold)
    subject = {"p": crossed.product.value, "s": crossed.subject}
    buttons = []
    if crossed.is_main:
        template = text.MAIN_CRITICAL if crossed.level is Level.CRITICAL else text.MAIN_WARN
        message = template.format(product=product, balance=balance, threshold=threshold)
        who = ", ".join(f"<@{u}>" for u in who_to_ask) or str(text.MAIN_WHO_DEFAULT)
        message += "\n" + text.MAIN_WHO.format(who=who)
    else:
        message = text.SUBACCOUNT.format(
            product=product, email=escape(crossed.label), balance=balance, threshold=threshold
        )
        buttons.append(_top_up_button(crossed))
    buttons.append(
        ButtonElement(
            text=str(text.SNOOZE),
            action_id=SNOOZE_ACTION,
            value=json.dumps({**subject, "e": crossed.label[:200]}),
        )
    )
    fallback = text.FALLBACK.format(what=crossed.label or product, balance=balance)
    return Reply(
        text=fallback,
        blocks=(
            SectionBlock(text=fit(message)),
            ActionsBlock(
                block_id=f"alert_{crossed.product.value}_{abs(hash(crossed.subject)) % 10**8}",
                elements=buttons,
            ),
        ),
    )


SUMMARY_FROM = 4
"""From this many subaccounts crossing at once (a first check after setting a threshold, say),
they are posted as one summary instead of one message each."""
SUMMARY_ROWS = 20


def alert_replies(crossings: Sequence[ThresholdCrossed], who_to_ask: Sequence[str]) -> list[Reply]:
    """The messages for one check's crossings: each main-account alert on its own, and the
    subaccounts one by one, or as one summary per product when there are many."""
    main = [e for e in crossings if e.is_main]
    subaccounts = [e for e in crossings if not e.is_main]
    replies = [alert_reply(e, who_to_ask) for e in main]
    for product in dict.fromkeys(e.product for e in subaccounts):
        of_product = [e for e in subaccounts if e.product is product]
        if len(of_product) >= SUMMARY_FROM:
            replies.append(alert_summary_reply(product, of_product))
        else:
            replies.extend(alert_reply(e, who_to_ask) for e in of_product)
    return replies


def alert_summary_reply(product: Product, crossings: Sequence[ThresholdCrossed]) -> Reply:
    """One message for many subaccounts: a row each (the lowest first), each with its own
    Request top-up, pre-filled as on a single alert."""
    rows: list[Block] = [
        SectionBlock(
            text=fit(
                text.SUMMARY_ROW.format(
                    email=escape(e.label or e.subject),
                    balance=format_money(e.balance),
                    threshold=format_money(e.threshold),
                    top_up=format_money(e.top_up),
                )
            ),
            accessory=_top_up_button(e, f"{TOPUP_ACTION}_{row}"),
        )
        for row, e in enumerate(sorted(crossings, key=lambda e: e.balance)[:SUMMARY_ROWS])
    ]
    if len(crossings) > SUMMARY_ROWS:
        more = len(crossings) - SUMMARY_ROWS
        rows.append(SectionBlock(text=text.summary_more(more).format(count=number(more))))
    count = len(crossings)
    head = text.summary(count).format(product=product.label, count=number(count))
    return Reply(
        text=text.summary_fallback(count).format(count=number(count), product=product.label),
        blocks=(
            SectionBlock(text=fit(head)),
            *rows,
            # Our own mrkdwn (a command in backticks): not user text, so not escaped.
            ContextBlock(elements=[MarkdownTextObject(text=str(text.SUMMARY_HINT))]),
        ),
    )


def _top_up_button(crossed: ThresholdCrossed, action_id: str = TOPUP_ACTION) -> ButtonElement:
    value = {"p": crossed.product.value, "s": crossed.subject, "e": crossed.label[:200]}
    return ButtonElement(
        text=str(text.TOP_UP),
        action_id=action_id,
        style="primary",
        value=json.dumps({**value, "a": str(crossed.top_up)}),
    )


def snoozed_reply(original: dict, what: str, until: datetime, user: str) -> Reply:
    """The alert as it was, its buttons replaced by who snoozed it until when."""
    kept = [Block.parse(b) for b in original.get("blocks", []) if b.get("type") != "actions"]
    note = text.SNOOZED.format(what=escape(what), until=slack_date(until), user=user)
    note_block = ContextBlock(elements=[MarkdownTextObject(text=fit(note))])
    return Reply(text=original.get("text") or note, blocks=[*kept, note_block])


def alert_list(config: AlertConfig) -> Reply:
    lines = [
        text.LIST_CHANNEL.format(channel=config.channel_id)
        if config.channel_id
        else str(text.LIST_NO_CHANNEL)
    ]
    rows = [
        text.LIST_ROW.format(
            what=threshold_what(t.product, t.scope, t.label),
            warn=format_money(t.warn),
            critical=text.CRITICAL.format(critical=format_money(t.critical))
            if t.critical is not None
            else "",
        )
        for t in config.thresholds
    ]
    lines += rows or [str(text.LIST_EMPTY)]
    return Reply(
        text=str(text.LIST_TITLE),
        blocks=(HeaderBlock(text=str(text.LIST_TITLE)), SectionBlock(text=fit("\n".join(lines)))),
    )


def threshold_what(product: Product, scope: Scope, label: str | None) -> str:
    if scope is Scope.MAIN:
        return text.WHAT_MAIN.format(product=product.label)
    if scope is Scope.SUBACCOUNTS:
        return text.WHAT_DEFAULT.format(product=product.label)
    return text.WHAT_ONE.format(product=product.label, email=escape(label or "?"))


def topup_modal(product: Product, token: str, email: str, amount: str | None = None) -> View:
    """The top-up form, its amount pre-filled with what brings the balance back above the
    alert's threshold (`amount`, from the alert's button)."""
    amount_field = text_input("amount", str(text.TOPUP_AMOUNT), max_length=30)
    if amount:
        amount_field.element.initial_value = amount
    return View(
        type="modal",
        callback_id=TOPUP_CALLBACK,
        title=str(text.TOPUP_TITLE),
        submit=str(text.TOPUP_SUBMIT),
        close=str(text.TOPUP_CLOSE),
        private_metadata=json.dumps({"p": product.value, "t": token}),
        blocks=[
            SectionBlock(
                text=fit(text.TOPUP_INTRO.format(email=escape(email), product=product.label))
            ),
            amount_field,
            text_input("reason", str(text.TOPUP_REASON), max_length=MAX_REASON, optional=True),
        ],
    )
