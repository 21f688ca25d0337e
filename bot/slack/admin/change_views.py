"""Block Kit of settings under four eyes: the confirmation card and what people are told.

A Partner key is only ever shown by its fingerprint: the card and the messages are built from
the pending change, which never holds the key in clear.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Protocol

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.money import format_money
from bot.partner.models import Product
from bot.services.roles import Subject, SubjectKind
from bot.services.settings_changes import NO_KEY_IN_USE, ChangeSnapshot, Setting, Status
from bot.slack.admin import change_texts as text
from bot.slack.admin import texts as admin_text
from bot.slack.admin.views import policy_value, user_mention
from bot.slack.blocks import escape, fit, slack_date
from bot.slack.mentions import subject_mention
from bot.slack.views.reply import Reply, plain_reply

CONFIRM_ACTION = "setting_change_confirm"
REJECT_ACTION = "setting_change_reject"


class Described(Protocol):
    @property
    def setting(self) -> Setting: ...
    @property
    def old(self) -> object: ...
    @property
    def new(self) -> object: ...
    @property
    def subject(self) -> str | None: ...
    @property
    def label(self) -> str | None: ...


def what(change: Described) -> str:
    """The change in one or two sentences: the setting old → new, then the rule it makes."""
    setting = change.setting
    if setting in (Setting.ADMIN, Setting.APPROVER):
        subject = subject_mention(_subject(change))
        role = "ADMIN" if setting is Setting.ADMIN else "APPROVER"
        verb = "ADD" if change.new else "REMOVE"
        return str(getattr(text, f"ROLE_{role}_{verb}")).format(subject=subject)
    if setting is Setting.PARTNER_KEY:
        product = _product(change.subject)
        if change.old is None:
            return text.KEY_SET.format(product=product, new=_fingerprint(change.new))
        if change.old == NO_KEY_IN_USE:
            return text.KEY_FIRST_IN_USE.format(product=product, new=_fingerprint(change.new))
        return text.KEY_REPLACE.format(
            product=product, old=_fingerprint(change.old), new=_fingerprint(change.new)
        )
    if setting in (Setting.SUBACCOUNT_FROZEN, Setting.SUBACCOUNT_CAP):
        return _subaccount_change(change)
    label = admin_text.SETTING_LABELS.get(setting.value, setting.value)
    old = policy_value(setting.value, change.old, label=None)
    new = policy_value(setting.value, change.new, label=change.label)
    sentence = text.SETTING_CHANGE.format(setting=label, old=old, new=new) + "."
    rule = _rule_after(setting, change.new)
    return f"{sentence} {rule}" if rule else sentence


def _subaccount_change(change: Described) -> str:
    product, _, token = (change.subject or "").partition(":")
    names = {"product": _product(product), "subaccount": escape(change.label or token)}
    if change.setting is Setting.SUBACCOUNT_FROZEN:
        return (text.SUB_FREEZE if change.new else text.SUB_UNFREEZE).format(**names)
    if change.new is None:
        return text.SUB_CAP_REMOVE.format(old=_money(change.old), **names)
    if change.old is None:
        return text.SUB_CAP_FIRST.format(new=_money(change.new), **names)
    return text.SUB_CAP_CHANGE.format(old=_money(change.old), new=_money(change.new), **names)


def _money(value: object) -> str:
    return format_money(value) if isinstance(value, Decimal) else escape(str(value))


def _rule_after(setting: Setting, new: object) -> str | None:
    key = setting.value if new is not None else f"{setting.value}_none"
    rule = text.RULE_AFTER.get(key)
    if rule is None:
        return None
    shown = format_money(new) if isinstance(new, Decimal) else policy_value(setting.value, new)
    return rule.format(new=shown)


def change_card(change: ChangeSnapshot) -> Reply:
    """The card in the approvals channel: who asked, what changes, Confirm / Reject while it
    waits; once decided, by whom, and no buttons."""
    described = what(change)
    blocks: list[Block] = [
        HeaderBlock(text=str(text.CARD_TITLE)),
        SectionBlock(
            text=fit(
                text.CARD_ASKED.format(asker=user_mention(change.requested_by)) + "\n" + described
            )
        ),
    ]
    if change.status is Status.PENDING:
        blocks.append(
            ContextBlock(
                elements=[
                    MarkdownTextObject(
                        text=text.CARD_WHY.format(
                            asker=user_mention(change.requested_by),
                            expires=slack_date(change.expires_at),
                        )
                    )
                ]
            )
        )
        blocks.append(
            ActionsBlock(
                block_id=f"setting_change_{change.number}",
                elements=[
                    ButtonElement(
                        text=str(text.CONFIRM),
                        action_id=CONFIRM_ACTION,
                        value=str(change.number),
                        style="primary",
                    ),
                    ButtonElement(
                        text=str(text.REJECT),
                        action_id=REJECT_ACTION,
                        value=str(change.number),
                        style="danger",
                    ),
                ],
            )
        )
    else:
        blocks.append(SectionBlock(text=_outcome(change)))
    fallback = text.CARD_FALLBACK.format(
        id=change.number, state=text.STATE_WORDS[change.status.value], what=described
    )
    return Reply(text=fallback, blocks=blocks)


def _outcome(change: ChangeSnapshot) -> str:
    at = slack_date(change.decided_at) if change.decided_at else ""
    who = user_mention(change.decided_by)
    match change.status:
        case Status.APPLIED:
            return text.CARD_APPLIED.format(user=who, at=at)
        case Status.REJECTED if change.decided_by == change.requested_by:
            return text.CARD_WITHDRAWN.format(user=who, at=at)
        case Status.REJECTED:
            return text.CARD_REJECTED.format(user=who, at=at)
    return str(text.CARD_EXPIRED)


def waiting_reply(change: ChangeSnapshot) -> Reply:
    if change.card_channel_id:
        return plain_reply(
            text.WAITING.format(channel=f"<#{change.card_channel_id}>", what=what(change))
        )
    return plain_reply(text.WAITING_UNPOSTED.format(what=what(change)))


def announcement(actor_id: str, change: Described, *, set_up: bool = False) -> str:
    message = text.ANNOUNCE_SET_UP if set_up else text.ANNOUNCE_AT_ONCE
    return message.format(actor=user_mention(actor_id), what=what(change))


def decided_announcement(change: ChangeSnapshot) -> str | None:
    asker = user_mention(change.requested_by)
    if change.status is Status.APPLIED:
        return text.ANNOUNCE_CONFIRMED.format(
            approver=user_mention(change.decided_by), asker=asker, what=what(change)
        )
    if change.status is Status.REJECTED:
        return text.ANNOUNCE_REJECTED.format(
            user=user_mention(change.decided_by), asker=asker, what=what(change)
        )
    return None


def asker_dm(change: ChangeSnapshot) -> str | None:
    """What the asker is told once somebody else decided (or time did)."""
    if change.decided_by == change.requested_by:
        return None  # they withdrew it themselves
    match change.status:
        case Status.APPLIED:
            return text.DM_APPLIED.format(
                approver=user_mention(change.decided_by), what=what(change)
            )
        case Status.REJECTED:
            return text.DM_REJECTED.format(user=user_mention(change.decided_by), what=what(change))
        case Status.EXPIRED:
            return text.DM_EXPIRED.format(what=what(change))
    return None


def already_message(change: ChangeSnapshot) -> str:
    by = text.ALREADY_BY.format(user=user_mention(change.decided_by)) if change.decided_by else ""
    return text.ALREADY[change.status.value].format(id=change.number, by=by)


def _subject(change: Described) -> Subject:
    kind, _, subject_id = (change.subject or "").partition(":")
    try:
        return Subject(SubjectKind(kind), subject_id, change.label)
    except ValueError:
        return Subject(SubjectKind.USER, change.subject or "?")


def _product(value: str | None) -> str:
    try:
        return Product(value or "").label
    except ValueError:
        return escape(value or "?")


def _fingerprint(value: object) -> str:
    return f"`{escape(str(value))}`" if value else "—"
