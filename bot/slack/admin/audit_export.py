"""`/partner audit export`: the whole period as a CSV file, sent to the asker alone by direct
message, with names beside the ids and the actions in the asker's words; for a French reader,
the variant French Excel opens in columns (bot.services.audit.CSV_STYLES)."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.clock import utcnow
from bot.i18n import current_language
from bot.i18n.formatting import number
from bot.services import audit
from bot.slack.admin import audit_texts as words
from bot.slack.admin.audit_views import action_words, export_empty_reply, export_sent_reply
from bot.slack.context import SlashCommand
from bot.slack.direct import dm_channel
from bot.slack.directory import SlackDirectory
from bot.slack.replies import reply

log = logging.getLogger(__name__)


async def export_audit(call: SlashCommand, days: int) -> None:
    client, respond, team_id, user_id = call.client, call.respond, call.team_id, call.user_id
    entries = await call.services.audit.recent(team_id, days)
    if not entries:
        await reply(respond, export_empty_reply(days))
        return
    content = audit.to_csv(
        entries,
        names=await names_of(audit.people(entries), call.directory),
        words={entry.action: action_words(entry.action) for entry in entries},
        style=audit.CSV_STYLES.get(current_language(), audit.STANDARD_CSV),
    )
    opened = await dm_channel(client, user_id)
    period = words.period_of(days).format(days=number(days))
    await client.files_upload_v2(
        channel=opened,
        content=content,
        filename=f"partner-ops-audit-{team_id}-{utcnow():%Y%m%d}.csv",
        title=words.export_title(days).format(days=number(days)),
        initial_comment=words.export_comment(len(entries)).format(
            period=period, count=number(len(entries))
        ),
    )
    await reply(respond, export_sent_reply(len(entries), days))


async def names_of(user_ids: list[str], directory: SlackDirectory) -> dict[str, str]:
    """The name people know each user by: one users.info per user, asked once in the request
    (the directory remembers; the asker's is already known from the membership check). When
    Slack refuses (rate limited, say), the rest go unnamed rather than the export failing:
    the ids are the record, the names only help read it."""
    names: dict[str, str] = {}
    for user_id in user_ids:
        try:
            user = await directory.user(user_id)
        except SlackApiError as error:
            log.warning("audit export: users.info failed (%s)", error.response.get("error"))
            break
        name = _name(user or {})
        if name:
            names[user_id] = name
    return names


def _name(user: dict[str, Any]) -> str:
    profile = user.get("profile") or {}
    for value in (
        user.get("real_name"),
        profile.get("real_name"),
        profile.get("display_name"),
        user.get("name"),
    ):
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""
