"""Block Kit of the admin commands: roles, the approvals channel, the policy, the audit trail.

Every reply here is ephemeral, so the `<@U…>` and `<!subteam^S…>` mentions in it notify
nobody. Ids are checked before they go into a mention; everything else people or the vendor
wrote is escaped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.db.models import AuditEntry
from bot.money import format_money
from bot.partner.models import Product
from bot.services import audit
from bot.services.policy import POLICY_FIELDS, Policy
from bot.services.roles import Subject, SubjectKind
from bot.slack.blocks import MAX_BLOCKS, MAX_TEXT, escape, fit, slack_date
from bot.slack.texts import admin as text
from bot.slack.views.reply import Reply, plain_reply

_SLACK_ID = re.compile(r"^[A-Z0-9]{2,32}$")
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


# --- mentions -----------------------------------------------------------------------------


def subject_mention(subject: Subject) -> str:
    if not _SLACK_ID.match(subject.id):
        return f"`{escape(subject.id)}`"
    if subject.kind is SubjectKind.USERGROUP:
        return f"<!subteam^{subject.id}>"
    return f"<@{subject.id}>"


def user_mention(user_id: str | None) -> str:
    if not user_id or user_id == audit.SYSTEM:
        return text.AUDIT_SYSTEM
    return f"<@{user_id}>" if _SLACK_ID.match(user_id) else escape(user_id)


def channel_mention(channel_id: str) -> str:
    return f"<#{channel_id}>" if _SLACK_ID.match(channel_id) else escape(channel_id)


def group_mention(group_id: str) -> str:
    return f"<!subteam^{group_id}>" if _SLACK_ID.match(group_id) else escape(group_id)


# --- approvers and admins -----------------------------------------------------------------


def role_changed_reply(role: str, verb: str, subject: Subject, changed: bool) -> Reply:
    shown, role_name = subject_mention(subject), text.ROLE_NAMES[role]
    if verb == "add":
        if not changed:
            message = text.ALREADY
        elif subject.kind is SubjectKind.USERGROUP:
            message = text.ADDED_GROUP
        else:
            message = text.ADDED
    elif changed:
        message = text.REMOVED
    else:
        message = text.NOT_ADDED_ADMIN if role == "admin" else text.NOT_ROLE
    return plain_reply(message.format(subject=shown, role=role_name))


def role_list_reply(role: str, subjects: Sequence[Subject]) -> Reply:
    lines = [
        "• " + subject_mention(s) + (text.GROUP_SUFFIX if s.kind is SubjectKind.USERGROUP else "")
        for s in subjects
    ]
    if role == "approver":
        title, fallback = text.APPROVERS_TITLE, text.APPROVERS_FALLBACK
        intro = text.APPROVERS_INTRO if subjects else text.APPROVERS_NONE
        footer = None
    else:
        title, fallback = text.ADMINS_TITLE, text.ADMINS_FALLBACK
        intro = text.ADMINS_INTRO if subjects else text.ADMINS_NONE
        footer = text.ADMINS_ALWAYS
    blocks: list[Block] = [HeaderBlock(text=title), SectionBlock(text=intro)]
    budget = MAX_BLOCKS - len(blocks) - (1 if footer else 0)
    blocks += [SectionBlock(text=chunk) for chunk in _pack(lines)[:budget]]
    if footer:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=footer)]))
    return Reply(text=fallback.format(count=len(subjects)), blocks=blocks)


# --- approvals channel --------------------------------------------------------------------


def channel_set_reply(channel_id: str, changed: bool) -> Reply:
    message = text.CHANNEL_SET if changed else text.CHANNEL_ALREADY
    return plain_reply(message.format(channel=channel_mention(channel_id)))


# --- policy -------------------------------------------------------------------------------


def policy_value(field: str, value: Any) -> str:
    """A policy setting's value as people read it."""
    match field:
        case "auto_approve_limit":
            return text.NEVER if not value else format_money(value)
        case "daily_auto_approve_cap" | "two_approver_threshold":
            return text.NO_LIMIT if value is None else format_money(value)
        case "expiry_hours":
            return text.ONE_HOUR if value == 1 else text.HOURS.format(hours=value)
        case "approvals_channel_id":
            return text.CHANNEL_NOT_SET if value is None else channel_mention(value)
        case "requesters_usergroup_id":
            return text.EVERYONE if value is None else group_mention(value)
    return escape(str(value))


def policy_reply(
    policy: Policy, approvers: int, *, changed: str | None = None, before: Policy | None = None
) -> Reply:
    """The whole policy; `changed` (a field name) is shown old → new against `before`."""
    blocks: list[Block] = [HeaderBlock(text=text.POLICY_TITLE)]
    fallback = text.POLICY_TITLE
    if changed is not None and before is not None:
        label = text.SETTING_LABELS[changed]
        old = getattr(before, changed)
        new = getattr(policy, changed)
        if old == new:
            fallback = text.POLICY_UNCHANGED.format(setting=label, value=policy_value(changed, new))
        else:
            fallback = text.POLICY_CHANGED.format(
                setting=label, old=policy_value(changed, old), new=policy_value(changed, new)
            )
        blocks.append(SectionBlock(text=fit(fallback)))
        blocks.append(DividerBlock())
    for field in POLICY_FIELDS:
        value = getattr(policy, field)
        values = {
            "label": text.SETTING_LABELS[field],
            "meaning": text.SETTING_MEANINGS[field],
            "value": policy_value(field, value),
        }
        if field == changed and before is not None and getattr(before, field) != value:
            line = text.SETTING_LINE_CHANGED.format(
                old=policy_value(field, getattr(before, field)), new=values["value"], **values
            )
        else:
            line = text.SETTING_LINE.format(**values)
        blocks.append(SectionBlock(text=fit(line)))
    blocks.append(
        SectionBlock(
            text=text.APPROVERS_LINE.format(count=approvers)
            if approvers
            else text.APPROVERS_LINE_NONE
        )
    )
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=text.POLICY_HOW_TO_CHANGE)]))
    return Reply(text=fallback, blocks=blocks)


# --- audit --------------------------------------------------------------------------------


def audit_reply(entries: Sequence[AuditEntry], days: int) -> Reply:
    """The newest entries first, as many as fit; then how many more the export holds."""
    if not entries:
        return plain_reply(text.AUDIT_EMPTY.format(days=days))
    lines: list[str] = []
    used = 0
    for entry in entries[:MAX_AUDIT_LINES]:
        line = fit(audit_line(entry).replace("\n", " "), MAX_AUDIT_LINE)
        if used + len(line) > MAX_AUDIT_CHARS:
            break
        lines.append(line)
        used += len(line) + 1
    chunks = _pack(lines)[:_AUDIT_SECTIONS]  # the limits above keep it far below anyway
    shown = sum(chunk.count("\n") + 1 for chunk in chunks)  # a line holds no newline
    summary = (
        text.AUDIT_SUMMARY_ONE.format(days=days)
        if len(entries) == 1
        else text.AUDIT_SUMMARY.format(count=len(entries), days=days)
    )
    blocks: list[Block] = [
        HeaderBlock(text=text.AUDIT_TITLE),
        ContextBlock(elements=[MarkdownTextObject(text=summary)]),
    ]
    blocks += [SectionBlock(text=chunk) for chunk in chunks]
    if shown < len(entries):
        more = text.AUDIT_MORE.format(count=len(entries) - shown)
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=more)]))
    return Reply(text=text.AUDIT_FALLBACK.format(count=len(entries), days=days), blocks=blocks)


def audit_line(entry: AuditEntry) -> str:
    request = ""
    if entry.request_id is not None:
        product = f" · {_product(entry.product)}" if entry.product else ""
        amount = f" · {format_money(entry.amount)}" if entry.amount is not None else ""
        request = text.AUDIT_REQUEST.format(id=entry.request_id, product=product, amount=amount)
    elif entry.product:
        request = f" — {_product(entry.product)}"
    return text.AUDIT_LINE.format(
        at=slack_date(entry.at),
        actor=user_mention(entry.actor_id),
        action=text.ACTIONS.get(entry.action) or f"`{escape(entry.action)}`",
        request=request,
        details=_details(entry),
    )


def _details(entry: AuditEntry) -> str:
    details = dict(entry.details or {})
    shown = ""
    if entry.action == "policy_changed" and "setting" in details:
        setting = str(details.pop("setting"))
        label = text.SETTING_LABELS.get(setting) or escape(setting)
        shown = text.AUDIT_POLICY.format(
            setting=label,
            old=_stored_policy_value(setting, details.pop("old", None)),
            new=_stored_policy_value(setting, details.pop("new", None)),
        )
    elif "subject" in details and isinstance(details["subject"], str):
        kind, _, subject_id = details.pop("subject").partition(":")
        try:
            subject = subject_mention(Subject(SubjectKind(kind), subject_id))
        except ValueError:
            subject = escape(f"{kind}:{subject_id}")
        shown = text.AUDIT_SUBJECT.format(subject=subject)
    rest = [
        f"{text.DETAIL_LABELS.get(name) or escape(name)}: {_detail_value(name, value)}"
        for name, value in sorted(details.items())
        if value is not None and value != "" and not _SECRET_NAME.search(name)
    ]
    if rest:
        shown += " — " + "; ".join(rest)
    return shown


def _detail_value(name: str, value: object) -> str:
    if name in _MONEY_DETAILS:
        try:
            return format_money(Decimal(str(value)))
        except (InvalidOperation, ValueError):
            pass
    if isinstance(value, bool):
        return "yes" if value else "no"
    return escape(fit(str(value).replace("\n", " "), MAX_DETAIL))


def _stored_policy_value(setting: str, stored: object) -> str:
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
    return policy_value(setting, value)


def _product(value: str) -> str:
    try:
        return Product(value).label
    except ValueError:
        return escape(value)


# --- export -------------------------------------------------------------------------------


def export_sent_reply(count: int, days: int) -> Reply:
    message = text.EXPORT_SENT_ONE if count == 1 else text.EXPORT_SENT
    return plain_reply(message.format(count=count, days=days))


def export_empty_reply(days: int) -> Reply:
    return plain_reply(text.EXPORT_EMPTY.format(days=days))


# --- helpers ------------------------------------------------------------------------------


def _pack(lines: Sequence[str], limit: int = MAX_TEXT) -> list[str]:
    """Lines joined into as few texts as fit `limit` each (a longer line is cut to fit)."""
    chunks: list[str] = []
    current = ""
    for line in lines:
        line = fit(line, limit)
        if current and len(current) + 1 + len(line) > limit:
            chunks.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        chunks.append(current)
    return chunks
