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

from bot.money import format_money
from bot.partner.models import Product
from bot.services import audit
from bot.services.audit import AuditRecord
from bot.services.policy import POLICY_FIELDS, Adjustment, Policy
from bot.services.roles import Subject, SubjectKind
from bot.slack.admin import texts as text
from bot.slack.blocks import MAX_BLOCKS, MAX_TEXT, escape, fit, slack_date
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


_HANDLE = re.compile(r"^[\w.\-]{1,80}$")


def subject_mention(subject: Subject) -> str:
    if not _SLACK_ID.match(subject.id):
        return f"`{escape(subject.id)}`"
    if subject.kind is SubjectKind.USERGROUP:
        return group_mention(subject.id, subject.label)
    return f"<@{subject.id}>"


def user_mention(user_id: str | None) -> str:
    if not user_id or user_id == audit.SYSTEM:
        return text.AUDIT_SYSTEM
    return f"<@{user_id}>" if _SLACK_ID.match(user_id) else escape(user_id)


def channel_mention(channel_id: str) -> str:
    return f"<#{channel_id}>" if _SLACK_ID.match(channel_id) else escape(channel_id)


def group_mention(group_id: str, handle: str | None = None) -> str:
    """`<!subteam^S1|@finance>`: Slack shows the handle, and so does anything reading the text
    without asking Slack (the label is left out unless it is a plain handle)."""
    if not _SLACK_ID.match(group_id):
        return escape(group_id)
    if handle and _HANDLE.match(handle.removeprefix("@")):
        return f"<!subteam^{group_id}|@{handle.removeprefix('@')}>"
    return f"<!subteam^{group_id}>"


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


_SHOWN_SETTINGS = tuple(f for f in POLICY_FIELDS if f in text.SETTING_LABELS)


def policy_value(field: str, value: Any, *, label: str | None = None) -> str:
    """A policy setting's value as people read it (`label`: a requesters group's handle)."""
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
            return text.EVERYONE if value is None else group_mention(value, label)
    return escape(str(value))


def policy_rules(policy: Policy) -> list[str]:
    """The effective rules as sentences, in the order they are applied."""
    auto = policy.effective_auto_approve_limit
    two = policy.two_approver_threshold
    if auto <= 0:
        moves = (
            text.RULE_MOVES_NEVER
            if two is None
            else text.RULE_MOVES_NEVER_TWO.format(two=format_money(two))
        )
    elif two is None:
        moves = text.RULE_MOVES_AUTO.format(auto=format_money(auto))
    elif auto >= two:
        moves = text.RULE_MOVES_AUTO_IS_TWO.format(two=format_money(two))
    else:
        moves = text.RULE_MOVES_AUTO_TWO.format(auto=format_money(auto), two=format_money(two))
    rules = [
        text.RULE_EVERYONE
        if policy.requesters_usergroup_id is None
        else text.RULE_GROUP.format(
            group=group_mention(policy.requesters_usergroup_id, policy.requesters_usergroup_label)
        ),
        text.RULE_DELETIONS,
        moves,
    ]
    if auto > 0:
        cap = policy.daily_auto_approve_cap
        rules.append(
            text.RULE_NO_CAP if cap is None else text.RULE_CAP.format(cap=format_money(cap))
        )
    rules += [
        text.RULE_NEW_SUBACCOUNT,
        text.RULE_EXPIRY.format(hours=policy.expiry_hours),
        text.RULE_NO_CHANNEL
        if policy.approvals_channel_id is None
        else text.RULE_CHANNEL.format(channel=channel_mention(policy.approvals_channel_id)),
    ]
    return rules


def _shown_value(policy: Policy, field: str) -> str:
    return policy_value(field, getattr(policy, field), label=policy.requesters_usergroup_label)


def policy_reply(
    policy: Policy,
    approvers: int,
    *,
    changed: str | None = None,
    before: Policy | None = None,
    adjustments: Sequence[Adjustment] = (),
) -> Reply:
    """The effective rules, then the settings; `changed` (a field name) is shown old → new
    against `before`, with any other setting `adjustments` it brought."""
    blocks: list[Block] = [HeaderBlock(text=text.POLICY_TITLE)]
    fallback = text.POLICY_TITLE
    if changed is not None and before is not None:
        label = text.SETTING_LABELS[changed]
        old, new = _shown_value(before, changed), _shown_value(policy, changed)
        if getattr(before, changed) == getattr(policy, changed):
            fallback = text.POLICY_UNCHANGED.format(setting=label, value=new)
        else:
            fallback = text.POLICY_CHANGED.format(setting=label, old=old, new=new)
        notes = [
            text.ADJUSTED[a.field].format(
                old=policy_value(a.field, a.old), new=policy_value(a.field, a.new)
            )
            for a in adjustments
        ]
        fallback = " ".join([fallback, *notes])
        blocks.append(SectionBlock(text=fit(fallback)))
        blocks.append(DividerBlock())
    rules = "\n".join(f"• {rule}" for rule in policy_rules(policy))
    blocks.append(SectionBlock(text=fit(f"{text.RULES_TITLE}\n{rules}")))
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=text.RULES_ORDER)]))
    blocks.append(DividerBlock())
    lines = [text.SETTINGS_TITLE]
    for field in _SHOWN_SETTINGS:
        values = {
            "label": text.SETTING_LABELS[field],
            "meaning": text.SETTING_MEANINGS[field],
            "value": _shown_value(policy, field),
        }
        if (
            field == changed
            and before is not None
            and getattr(before, field) != getattr(policy, field)
        ):
            line = text.SETTING_LINE_CHANGED.format(old=_shown_value(before, field), **values)
        else:
            line = text.SETTING_LINE.format(**values)
        lines.append(line)
    lines.append(
        text.APPROVERS_LINE.format(count=approvers) if approvers else text.APPROVERS_LINE_NONE
    )
    blocks += [SectionBlock(text=chunk) for chunk in _pack(lines)]
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=text.POLICY_HOW_TO_CHANGE)]))
    return Reply(text=fallback, blocks=blocks)


# --- audit --------------------------------------------------------------------------------


def audit_reply(entries: Sequence[AuditRecord], days: int) -> Reply:
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
        at=slack_date(entry.at),
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
