"""Mentions written into Block Kit text: `<@U…>`, `<#C…>`, `<!subteam^S…>`. An id goes into a
mention only when it looks like a Slack id; anything else is shown escaped, so a stored value
can never become a broadcast or a link. Shared by every feature that names people, groups or
channels (approval cards, admin replies, the Home, error messages)."""

from __future__ import annotations

import re

from bot.services.roles import Subject, SubjectKind
from bot.slack.blocks import escape

_SLACK_ID = re.compile(r"^[A-Z0-9]{2,32}$")
_HANDLE = re.compile(r"^[\w.\-]{1,80}$")


def is_slack_id(value: str) -> bool:
    return bool(_SLACK_ID.match(value))


def subject_mention(subject: Subject) -> str:
    if not is_slack_id(subject.id):
        return f"`{escape(subject.id)}`"
    if subject.kind is SubjectKind.USERGROUP:
        return group_mention(subject.id, subject.label)
    return f"<@{subject.id}>"


def channel_mention(channel_id: str) -> str:
    return f"<#{channel_id}>" if is_slack_id(channel_id) else escape(channel_id)


def group_mention(group_id: str, handle: str | None = None) -> str:
    """`<!subteam^S1|@finance>`: Slack shows the handle, and so does anything reading the text
    without asking Slack (the label is left out unless it is a plain handle)."""
    if not is_slack_id(group_id):
        return escape(group_id)
    if handle and _HANDLE.match(handle.removeprefix("@")):
        return f"<!subteam^{group_id}|@{handle.removeprefix('@')}>"
    return f"<!subteam^{group_id}>"
