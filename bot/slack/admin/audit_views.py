"""The audit trail in Slack: the latest entries, newest first, as many as fit; the export's
replies."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.i18n import _
from bot.i18n.formatting import joined, labelled, number
from bot.i18n.times import when
from bot.money import format_money
from bot.partner.models import Product
from bot.services.audit import AuditRecord
from bot.services.policy import POLICY_FIELDS
from bot.services.roles import Subject, SubjectKind
from bot.slack.admin import texts as text
from bot.slack.admin.views import (
    pack,
    policy_value,
    subject_mention,
    user_mention,
)
from bot.slack.blocks import MAX_BLOCKS, escape, fit
from bot.slack.requests import texts as request_text
from bot.slack.views.reply import Reply, plain_reply

_SECRET_NAME = re.compile(r"(^|_)(key|api_?key|secret|password|passwd|credential)s?($|_)", re.I)
_MONEY_SETTINGS = ("auto_approve_limit", "daily_auto_approve_cap", "two_approver_threshold")
_MONEY_DETAILS = ("limit", "main_after", "subaccount_after")

MAX_AUDIT_LINES = 40
"""Entries shown in Slack; the export has them all."""
MAX_AUDIT_LINE = 600
MAX_DETAIL = 200
MAX_AUDIT_CHARS = 12_000
"""Well under what Slack accepts in one message, and still readable."""
_AUDIT_SECTIONS = MAX_BLOCKS - 4  # header, summary, "and N more", one spare


# --- audit --------------------------------------------------------------------------------


def audit_reply(entries: Sequence[AuditRecord], days: int) -> Reply:
    """The newest entries first, as many as fit; then how many more the export holds."""
    if not entries:
        return plain_reply(text.AUDIT_EMPTY.format(days=number(days)))
    lines: list[str] = []
    used = 0
    for entry in entries[:MAX_AUDIT_LINES]:
        line = fit(audit_line(entry).replace("\n", " "), MAX_AUDIT_LINE)
        if used + len(line) > MAX_AUDIT_CHARS:
            break
        lines.append(line)
        used += len(line) + 1
    chunks = pack(lines)[:_AUDIT_SECTIONS]  # the limits above keep it far below anyway
    shown = sum(chunk.count("\n") + 1 for chunk in chunks)  # a line holds no newline
    count, period = len(entries), number(days)
    summary = text.audit_summary(count).format(count=number(count), days=period)
    blocks: list[Block] = [
        HeaderBlock(text=str(text.AUDIT_TITLE)),
        ContextBlock(elements=[MarkdownTextObject(text=summary)]),
    ]
    blocks += [SectionBlock(text=chunk) for chunk in chunks]
    if shown < len(entries):
        more = text.AUDIT_MORE.format(count=number(len(entries) - shown))
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=more)]))
    fallback = text.audit_fallback(count).format(count=number(count), days=period)
    return Reply(text=fallback, blocks=blocks)


def audit_line(entry: AuditRecord) -> str:
    request = ""
    if entry.request_id is not None:
        product = f" · {_product(entry.product)}" if entry.product else ""
        amount = f" · {format_money(entry.amount)}" if entry.amount is not None else ""
        # The number people know the request by; an entry whose request is not on record
        # (never the case for the app's own entries) names no number rather than the
        # internal id, which would tell how many requests all workspaces made.
        template = (
            text.AUDIT_REQUEST
            if entry.request_number is not None
            else text.AUDIT_REQUEST_UNNUMBERED
        )
        request = template.format(id=entry.request_number, product=product, amount=amount)
    elif entry.product:
        request = f" — {_product(entry.product)}"
    return text.AUDIT_LINE.format(
        at=when(entry.at),
        actor=user_mention(entry.actor_id),
        action=text.ACTIONS.get(entry.action) or f"`{escape(entry.action)}`",
        request=request,
        details=_details(entry),
    )


def _details(entry: AuditRecord) -> str:
    details = dict(entry.details or {})
    shown = ""
    policy_setting = details.get("setting") in POLICY_FIELDS
    if "setting" in details and (entry.action == "policy_changed" or policy_setting):
        setting = str(details.pop("setting"))
        label = text.SETTING_LABELS.get(setting) or escape(setting)
        handle = details.pop("label", None)
        shown = text.AUDIT_POLICY.format(
            setting=label,
            old=_stored_policy_value(setting, details.pop("old", None)),
            new=_stored_policy_value(setting, details.pop("new", None), handle),
        )
    elif "subject" in details and isinstance(details["subject"], str):
        kind, _, subject_id = details.pop("subject").partition(":")
        handle = details.pop("label", None)
        try:
            subject = subject_mention(
                Subject(SubjectKind(kind), subject_id, handle if isinstance(handle, str) else None)
            )
        except ValueError:
            subject = escape(f"{kind}:{subject_id}")
        shown = text.AUDIT_SUBJECT.format(subject=subject)
    rest = [
        labelled(str(text.DETAIL_LABELS.get(name) or escape(name)), _detail_value(name, value))
        for name, value in sorted(details.items())
        if value is not None and value != "" and not _SECRET_NAME.search(name)
    ]
    if rest:
        shown += " — " + joined(rest)
    return shown


def _detail_value(name: str, value: object) -> str:
    if name == "request_action" and str(value) in request_text.TITLES:
        return str(request_text.TITLES[str(value)])  # `credit_add` is a code, not words
    if name == "similar_to" and str(value).removeprefix("#").isdigit():
        return text.AUDIT_REQUEST_NUMBER.format(id=str(value).removeprefix("#"))
    if name in _MONEY_DETAILS:
        try:
            return format_money(Decimal(str(value)))
        except (InvalidOperation, ValueError):
            pass
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return escape(fit(str(value).replace("\n", " "), MAX_DETAIL))


def _stored_policy_value(setting: str, stored: object, handle: object = None) -> str:
    """A value as `change_policy` audited it (text, "none" for no value), as people read it."""
    if stored is None:
        return "—"
    raw = str(stored)
    value: object = None if raw == "none" else raw
    try:
        if value is not None and setting in _MONEY_SETTINGS:
            value = Decimal(raw)
        elif value is not None and setting == "expiry_hours":
            value = int(raw)
    except (InvalidOperation, ValueError):
        return escape(fit(raw, MAX_DETAIL))
    if setting not in POLICY_FIELDS:
        return escape(fit(raw, MAX_DETAIL))
    if value is None and setting == "approvals_channel_id":
        return text.AUDIT_NOT_SET  # not the how-to the policy view gives
    return policy_value(setting, value, label=handle if isinstance(handle, str) else None)


def _product(value: str) -> str:
    try:
        return Product(value).label
    except ValueError:
        return escape(value)


# --- export -------------------------------------------------------------------------------


def export_sent_reply(count: int, days: int) -> Reply:
    message = text.export_sent(count)
    return plain_reply(message.format(count=number(count), days=number(days)))


def export_empty_reply(days: int) -> Reply:
    return plain_reply(text.EXPORT_EMPTY.format(days=number(days)))
