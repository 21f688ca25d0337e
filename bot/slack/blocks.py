"""Small helpers every Block Kit builder uses: escaping and Slack's size limits."""

from __future__ import annotations

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
