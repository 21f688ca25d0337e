"""The spend-anomaly card (channel and DM) and what it becomes once someone gives a verdict."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.i18n.formatting import number
from bot.money import format_money
from bot.services.anomalies import Feedback
from bot.services.anomalies.ledger import Opened
from bot.slack.anomalies import texts as text
from bot.slack.blocks import escape, fit, slack_date
from bot.slack.controls.views import freeze_button
from bot.slack.views.reply import Reply

EXPECTED_ACTION = "anomaly_expected"
NOT_AN_ISSUE_ACTION = "anomaly_not_an_issue"
ACTIONS = {EXPECTED_ACTION: Feedback.EXPECTED, NOT_AN_ISSUE_ACTION: Feedback.NOT_AN_ISSUE}
MUTE = timedelta(hours=24)


def time_left(left: timedelta) -> str:
    """A rough duration: minutes under 2 h, hours under 2 days, then days."""
    minutes = max(1, int(left.total_seconds() // 60))
    if minutes < 120:
        return text.MINUTES.format(count=number(minutes))
    if minutes < 48 * 60:
        return text.HOURS.format(count=number(minutes // 60))
    days = minutes // (24 * 60)
    return text.days_left(days).format(count=number(days))


def anomaly_card(opened: Opened) -> Reply:
    facts = opened.facts
    email, product = escape(opened.email), opened.product.label
    spent = format_money(facts.last_hour)
    if opened.usual is None:
        headline = text.CARD_COLD.format(
            product=product, email=email, spent=spent, floor=format_money(opened.floor)
        )
    else:
        headline = text.CARD.format(
            product=product, email=email, spent=spent, usual=format_money(opened.usual)
        )
    balance = format_money(opened.balance)
    lasts = (
        text.EMPTY_IN.format(
            rate=format_money(facts.rate), balance=balance, left=time_left(facts.empty_in)
        )
        if facts.empty_in is not None
        else text.NOT_EMPTYING.format(balance=balance)
    )
    details = [
        text.SINCE.format(since=slack_date(facts.since)),
        lasts,
        text.SPARKLINE.format(sparkline=f"`{facts.sparkline}`"),
    ]
    value = json.dumps({"r": opened.ref})
    buttons = [
        ButtonElement(text=str(text.EXPECTED), action_id=EXPECTED_ACTION, value=value),
        ButtonElement(text=str(text.NOT_AN_ISSUE), action_id=NOT_AN_ISSUE_ACTION, value=value),
        freeze_button(opened.product, opened.subaccount),
    ]
    return Reply(
        text=text.FALLBACK.format(email=opened.email, spent=spent),
        blocks=(
            SectionBlock(text=fit(headline)),
            ContextBlock(elements=[MarkdownTextObject(text=fit("\n".join(details)))]),
            ActionsBlock(block_id=f"anomaly_{opened.ref}", elements=buttons),
        ),
    )


def judged_card(original: dict, feedback: Feedback, user: str, at: datetime) -> Reply:
    """The card as it was, its buttons replaced by who said what."""
    kept = [Block.parse(b) for b in original.get("blocks", []) if b.get("type") != "actions"]
    if feedback is Feedback.EXPECTED:
        note = text.MARKED_EXPECTED.format(user=user, until=slack_date(at + MUTE))
    else:
        note = text.MARKED_NOT_AN_ISSUE.format(user=user)
    note_block = ContextBlock(elements=[MarkdownTextObject(text=fit(note))])
    return Reply(text=original.get("text") or note, blocks=[*kept, note_block])
