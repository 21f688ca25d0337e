"""The audit trail in Slack: the latest entries, newest first, as many as fit; the export's
replies."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
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
from bot.services import audit
from bot.services.audit import AuditRecord
from bot.services.policy import POLICY_FIELDS
from bot.services.roles import Subject, SubjectKind
from bot.slack.admin import audit_texts as words
from bot.slack.admin import texts as text
from bot.slack.admin.views import policy_value, user_mention
from bot.slack.blocks import MAX_BLOCKS, escape, fit, pack
from bot.slack.mentions import channel_mention, subject_mention
from bot.slack.requests import texts as request_text
from bot.slack.texts.common import LANGUAGE_NAMES
from bot.slack.views.reply import Reply, plain_reply

_SECRET_NAME = re.compile(r"(^|_)(key|api_?key|secret|password|passwd|credential)s?($|_)", re.I)
_MONEY_SETTINGS = ("auto_approve_limit", "daily_auto_approve_cap", "two_approver_threshold")
_MONEY_DETAILS = (
    "limit",
    "main_after",
    "subaccount_after",
    "warn",
    "critical",
    "balance",
    "threshold",
)
_OF = re.compile(r"^(\d+) of (\d+)$")
"""`approvers` of a counted approval, as the store writes it."""
_WORDS = {
    "request_action": words.REQUEST_ACTIONS,
    "why": words.WHY,
    "level": words.ALERT_LEVELS,
    "scope": words.ALERT_SCOPES,
}

MAX_AUDIT_LINES = 40
"""Entries shown in Slack; the export has them all."""
MAX_AUDIT_LINE = 600
MAX_DETAIL = 200
MAX_AUDIT_CHARS = 12_000
"""Well under what Slack accepts in one message, and still readable."""
_AUDIT_SECTIONS = MAX_BLOCKS - 4  # header, summary, "and N more", one spare


# --- audit --------------------------------------------------------------------------------


def audit_reply(entries: Sequence[AuditRecord], days: int) -> Reply:
    """The newest events first, as many as fit; then how many more the export holds."""
    if not entries:
        return plain_reply(words.audit_empty(days).format(days=number(days)))
    events = merged(entries)
    lines: list[str] = []
    used = 0
    for entry in events[:MAX_AUDIT_LINES]:
        line = fit(audit_line(entry).replace("\n", " "), MAX_AUDIT_LINE)
        if used + len(line) > MAX_AUDIT_CHARS:
            break
        lines.append(line)
        used += len(line) + 1
    chunks = pack(lines)[:_AUDIT_SECTIONS]  # the limits above keep it far below anyway
    shown = sum(chunk.count("\n") + 1 for chunk in chunks)  # a line holds no newline
    count = len(events)
    period = words.period(days).format(days=number(days))
    summary = words.audit_summary(count).format(count=number(count), period=period)
    blocks: list[Block] = [
        HeaderBlock(text=str(text.AUDIT_TITLE)),
        ContextBlock(elements=[MarkdownTextObject(text=summary)]),
    ]
    blocks += [SectionBlock(text=chunk) for chunk in chunks]
    if shown < count:
        more = text.AUDIT_MORE.format(count=number(count - shown))
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=more)]))
    fallback = words.audit_fallback(count).format(count=number(count), period=period)
    return Reply(text=fallback, blocks=blocks)


def merged(entries: Sequence[AuditRecord]) -> list[AuditRecord]:
    """One line per event. The click that completes a request's approvals is recorded twice,
    in one transaction: `approval_counted` (with its count) and `approved`. Its line is the
    `approved` entry, carrying the count; the table keeps both (it is only ever appended to).
    One approver's click on one request is counted at most once, so the pair is unique."""
    counted = {
        (e.request_id, e.actor_id): e
        for e in entries
        if e.action == "approval_counted" and e.request_id is not None
    }
    twins: set[int] = set()
    events: list[AuditRecord] = []
    for entry in entries:
        twin = counted.get((entry.request_id, entry.actor_id))
        if entry.action == "approved" and twin is not None:
            twins.add(twin.id)
            details = {**entry.details, "approvers": twin.details.get("approvers")}
            entry = replace(entry, details=details)
        events.append(entry)
    return [e for e in events if e.id not in twins]


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
        # A batch row's entry: the amount it moved (or would have) follows its product.
        amount = f" · {format_money(entry.amount)}" if entry.amount is not None else ""
        request = f" — {_product(entry.product)}{amount}"
    details = dict(entry.details or {})
    return text.AUDIT_LINE.format(
        at=when(entry.at),
        actor=user_mention(entry.actor_id),
        action=_action(entry.action, details),
        request=request,
        details=_details(entry.action, details),
    )


def action_words(action: str) -> str:
    """What an action code says, in the reader's language; the code itself if it has none
    (an entry of a later version, read by an older one)."""
    words_ = text.ACTIONS.get(action)
    return str(words_) if words_ is not None else action


def _action(action: str, details: dict[str, object]) -> str:
    if action in ("approval_counted", "approved"):
        count = _OF.match(str(details.get("approvers") or ""))
        if count:
            details.pop("approvers")
            return words.APPROVED_COUNT.format(
                count=number(int(count[1])), needed=number(int(count[2]))
            )
    words_ = text.ACTIONS.get(action)
    return str(words_) if words_ is not None else f"`{escape(action)}`"


def _details(action: str, details: dict[str, object]) -> str:
    shown = ""
    if isinstance(details.get("subject"), str):
        shown += text.AUDIT_SUBJECT.format(subject=_subject(details))
    setting = str(details.get("setting") or "")
    if setting and (action == "policy_changed" or setting in POLICY_FIELDS):
        details.pop("setting")
        handle = details.pop("label", None)
        shown += text.AUDIT_POLICY.format(
            setting=text.SETTING_LABELS.get(setting) or escape(setting),
            old=_stored_policy_value(setting, details.pop("old", None)),
            new=_stored_policy_value(setting, details.pop("new", None), handle),
        )
    elif setting in words.CHANGE_SETTINGS:
        details.pop("setting")
        shown += text.AUDIT_POLICY.format(
            setting=words.CHANGE_SETTINGS[setting],
            old=_change_value(setting, details.pop("old", None)),
            new=_change_value(setting, details.pop("new", None)),
        )
    details.pop("label", None)  # a group's handle: its mention above shows it
    rest = [
        labelled(str(text.DETAIL_LABELS.get(name) or escape(name)), _detail_value(name, value))
        for name, value in sorted(details.items())
        if value is not None and value != "" and not _SECRET_NAME.search(name)
    ]
    if rest:
        shown += " — " + joined(rest)
    return shown


def _subject(details: dict[str, object]) -> str:
    """`user:U…` / `usergroup:S…` given a role, as a mention; an alert's subaccount (or
    `main`) by its label."""
    stored = str(details.pop("subject"))
    handle = details.get("label")
    kind, colon, subject_id = stored.partition(":")
    if not colon:
        return str(words.MAIN_ACCOUNT) if stored == "main" else escape(fit(stored, MAX_DETAIL))
    try:
        label = handle if isinstance(handle, str) else None
        return subject_mention(Subject(SubjectKind(kind), subject_id, label))
    except ValueError:
        return escape(fit(stored, MAX_DETAIL))


def _change_value(setting: str, stored: object) -> str:
    """Old or new of a role or key change, as `audited` stored it."""
    if stored is None or stored in ("none", ""):
        return "—"
    if setting in ("admin", "approver") and stored in ("yes", "no"):
        return _("yes") if stored == "yes" else _("no")
    return f"`{escape(fit(str(stored), MAX_DETAIL))}`"


def _detail_value(name: str, value: object) -> str:
    plain = str(value)
    if name in audit.USER_DETAILS:
        return user_mention(plain)
    if name == "channel" or name.endswith("channel_id"):
        return channel_mention(plain)
    if name == "request_action" and plain in request_text.TITLES:
        return str(request_text.TITLES[plain])  # `credit_add` is a code, not words
    if name == "similar_to" and plain.removeprefix("#").isdigit():
        return text.AUDIT_REQUEST_NUMBER.format(id=plain.removeprefix("#"))
    if name in _MONEY_DETAILS:
        try:
            return format_money(Decimal(plain))
        except (InvalidOperation, ValueError):
            pass
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    known = _WORDS.get(name, {}).get(plain)
    if known is not None:
        return str(known)
    if name == "product":
        return _product(plain)
    if name == "products" and plain == "all":
        return str(words.ALL_PRODUCTS)
    if name == "products":
        return joined(map(_product, plain.split(",")))
    if name == "language":
        return str(LANGUAGE_NAMES.get(plain) or escape(plain))
    if name == "hours" and plain.isdigit():
        return text.hours(int(plain)).format(hours=number(int(plain)))
    if isinstance(value, int):
        return number(value)
    if isinstance(value, list):
        return joined(escape(fit(str(v), MAX_DETAIL)) for v in value)
    return escape(fit(plain.replace("\n", " "), MAX_DETAIL))


def _stored_policy_value(setting: str, stored: object, handle: object = None) -> str:
    """A value as `change_policy` audited it (text, "none" for no value), as people read it."""
    if stored is None:
        return "—"
    raw = str(stored)
    value: object = None if raw == "none" else raw
    try:
        if value is not None and setting in _MONEY_SETTINGS:
            value = Decimal(raw)
        elif value is not None and setting in ("expiry_hours", "remind_hours", "escalate_hours"):
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
    period = words.period_of(days).format(days=number(days))
    return plain_reply(words.export_sent(count).format(count=number(count), period=period))


def export_empty_reply(days: int) -> Reply:
    return plain_reply(words.export_empty(days).format(days=number(days)))
