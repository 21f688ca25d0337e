"""Block Kit of the admin commands: roles, the approvals channel, the policy, the audit trail.

Every reply here is ephemeral, so the `<@U…>` and `<!subteam^S…>` mentions in it notify
nobody. Ids are checked before they go into a mention; everything else people or the vendor
wrote is escaped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.i18n.formatting import number
from bot.money import format_money
from bot.services import audit
from bot.services.policy import MAX_AMOUNTS, POLICY_FIELDS, Adjustment, Policy
from bot.services.roles import Subject, SubjectKind
from bot.slack.admin import texts as text
from bot.slack.blocks import MAX_BLOCKS, escape, fit, pack
from bot.slack.views.reply import Reply, plain_reply

_SLACK_ID = re.compile(r"^[A-Z0-9]{2,32}$")


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
        return str(text.AUDIT_SYSTEM)
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
    group = str(text.GROUP_SUFFIX)
    lines = [
        "• " + subject_mention(s) + (group if s.kind is SubjectKind.USERGROUP else "")
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
    blocks: list[Block] = [HeaderBlock(text=str(title)), SectionBlock(text=str(intro))]
    budget = MAX_BLOCKS - len(blocks) - (1 if footer else 0)
    blocks += [SectionBlock(text=chunk) for chunk in pack(lines)[:budget]]
    if footer:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=str(footer))]))
    return Reply(text=fallback.format(count=number(len(subjects))), blocks=blocks)


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
            return str(text.NEVER) if not value else format_money(value)
        case "daily_auto_approve_cap" | "two_approver_threshold":
            return str(text.NO_LIMIT) if value is None else format_money(value)
        case "expiry_hours":
            return text.hours(value).format(hours=number(value))
        case "approvals_channel_id":
            return str(text.CHANNEL_NOT_SET) if value is None else channel_mention(value)
        case "requesters_usergroup_id":
            return str(text.EVERYONE) if value is None else group_mention(value, label)
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
        str(text.RULE_EVERYONE)
        if policy.requesters_usergroup_id is None
        else text.RULE_GROUP.format(
            group=group_mention(policy.requesters_usergroup_id, policy.requesters_usergroup_label)
        ),
        str(text.RULE_DELETIONS),
        str(moves),
    ]
    if auto > 0:
        cap = policy.daily_auto_approve_cap
        rules.append(
            str(text.RULE_NO_CAP) if cap is None else text.RULE_CAP.format(cap=format_money(cap))
        )
    rules += [
        str(text.RULE_NEW_SUBACCOUNT),
        text.RULE_EXPIRY.format(hours=number(policy.expiry_hours)),
        str(text.RULE_NO_CHANNEL)
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
    blocks: list[Block] = [HeaderBlock(text=str(text.POLICY_TITLE))]
    fallback = str(text.POLICY_TITLE)
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
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=str(text.RULES_ORDER))]))
    blocks.append(DividerBlock())
    lines = [str(text.SETTINGS_TITLE)]
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
        text.APPROVERS_LINE.format(count=number(approvers))
        if approvers
        else str(text.APPROVERS_LINE_NONE)
    )
    blocks += [SectionBlock(text=chunk) for chunk in pack(lines)]
    how_to = text.POLICY_HOW_TO_CHANGE.format(
        auto_max=format_money(MAX_AMOUNTS["auto_approve_limit"]),
        cap_max=format_money(MAX_AMOUNTS["daily_auto_approve_cap"]),
    )
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=how_to)]))
    return Reply(text=fallback, blocks=blocks)


# --- helpers ------------------------------------------------------------------------------
