"""Small helpers every Block Kit builder uses: escaping and Slack's size limits."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from slack_sdk.models.blocks import InputBlock, PlainTextInputElement

MAX_BLOCKS = 50
MAX_TEXT = 3000
MAX_FIELD = 2000
MAX_BUTTON_VALUE = 2000
MAX_PLAIN_LABEL = 75


def escape(text: str) -> str:
    """User or vendor text made inert in mrkdwn: `<!channel>` or `<@U1>` then pings nobody."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def fit(text: str, limit: int = MAX_TEXT) -> str:
    """Cut to Slack's limit with an ellipsis, never mid-escape sequence."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut + "…"


def user_mention(user_id: str) -> str:
    return f"<@{user_id}>"


def form_state(view: dict[str, Any], block_id: str, action_id: str | None = None) -> dict[str, Any]:
    """One input's state in a submitted view (`action_id` defaults to the block's id)."""
    values = (view.get("state") or {}).get("values") or {}
    return (values.get(block_id) or {}).get(action_id or block_id) or {}


def form_text(view: dict[str, Any], block_id: str, action_id: str | None = None) -> str:
    """A text input's value, stripped; "" when empty."""
    return (form_state(view, block_id, action_id).get("value") or "").strip()


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


def slack_date(when: datetime) -> str:
    """A moment every reader sees in their own time zone (Slack's date token), with a UTC
    fallback for clients that cannot show it. `when` is naive UTC, as stored."""
    stamp = int(when.replace(tzinfo=UTC).timestamp())
    fallback = when.strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{stamp}^{{date_short_pretty}} at {{time}}|{fallback}>"
