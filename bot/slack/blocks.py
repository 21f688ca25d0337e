"""Small helpers every Block Kit builder uses: escaping and Slack's size limits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from slack_sdk.models.blocks import InputBlock, PlainTextInputElement

from bot.i18n import _
from bot.i18n.times import when
from bot.slack.slack_text import clean, escape

__all__ = ["escape"]  # the one output escaper lives in bot.slack.slack_text; kept importable here

MAX_BLOCKS = 50
MAX_TEXT = 3000
MAX_BUTTON_VALUE = 2000


def fit(text: str, limit: int = MAX_TEXT) -> str:
    """Cut to Slack's limit with an ellipsis, never mid-escape sequence."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut + "…"


def utc_text(moment: datetime) -> str:
    """A moment in UTC, saying so, in the current language (`Monday 7 December at 07:30 UTC`):
    the fallback of a date token, which shows where the token cannot render (notifications)."""
    return when(moment, "UTC", relative=False, named=True)


def slack_date(moment: datetime, tokens: str | None = None) -> str:
    """A moment in mrkdwn that each viewer's Slack shows in their own time zone and language
    ("today at 14:05", "Mar 3, 2025 at 9:00 AM"): for what a channel sees. What one reader
    sees (ephemeral, DM, Home, modal) is bot.i18n.times.when, in that reader's zone."""
    # Translators: a Slack date token's format; keep {date_short_pretty} and {time} as they are.
    tokens = tokens or _("{date_short_pretty} at {time}")
    unix = int(
        moment.replace(tzinfo=UTC).timestamp() if moment.tzinfo is None else moment.timestamp()
    )
    return f"<!date^{unix}^{tokens}|{utc_text(moment)}>"


def user_mention(user_id: str) -> str:
    return f"<@{user_id}>"


def form_state(view: dict[str, Any], block_id: str, action_id: str | None = None) -> dict[str, Any]:
    """One input's state in a submitted view (`action_id` defaults to the block's id)."""
    values = (view.get("state") or {}).get("values") or {}
    return (values.get(block_id) or {}).get(action_id or block_id) or {}


def form_text(
    view: dict[str, Any], block_id: str, action_id: str | None = None, *, multiline: bool = False
) -> str:
    """A text input's value as typed (Slack does not format plain_text_input values), without
    control characters, stripped; "" when empty."""
    value = form_state(view, block_id, action_id).get("value") or ""
    return clean(value, multiline=multiline).strip()


def text_input(
    block_id: str,
    label: str,
    *,
    max_length: int,
    optional: bool = False,
    hint: str | None = None,
    multiline: bool = False,
) -> InputBlock:
    """A modal's text field, its action named like its block (see `form_text`)."""
    return InputBlock(
        block_id=block_id,
        label=label,
        optional=optional,
        hint=hint,
        element=PlainTextInputElement(
            action_id=block_id, max_length=max_length, multiline=multiline
        ),
    )


def clicked_message(body: dict[str, Any]) -> tuple[str, str] | None:
    """The channel and ts of the (non-ephemeral) message a button was clicked on, or None for
    a click in a modal, the Home tab or an ephemeral message. A card whose post had no known
    outcome is found this way, from the first click on it."""
    container = body.get("container") or {}
    channel_id, ts = container.get("channel_id"), container.get("message_ts")
    on_a_message = container.get("type") == "message" and not container.get("is_ephemeral")
    return (channel_id, ts) if on_a_message and channel_id and ts else None


def pack(lines: Sequence[str], limit: int = MAX_TEXT) -> list[str]:
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
