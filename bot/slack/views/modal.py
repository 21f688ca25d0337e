"""Modals that stand in while the app works: loading, working, and a plain message."""

from __future__ import annotations

from slack_sdk.models.blocks import SectionBlock
from slack_sdk.models.views import View

from bot.slack.blocks import fit
from bot.slack.texts import common as text

# Slack refuses a modal title longer than this.
MAX_TITLE = 24


def modal_title(*choices: str) -> str:
    """The first of `choices`, most telling first, that fits Slack's limit: a title Slack would
    refuse, or one cut mid-number (`Refuser la demande n° 1…`), is never shown. The last choice
    should fit whatever it holds; it is cut only if it does not."""
    for choice in choices:
        if len(choice) <= MAX_TITLE:
            return choice
    return fit(choices[-1], MAX_TITLE)


def loading_view(title: str, *, callback_id: str = "") -> View:
    """Opened at once with the trigger_id, before any lookup: the real form replaces it."""
    return message_view(title, str(text.LOADING), callback_id=callback_id)


def working_view(
    title: str, external_id: str, message: str | None = None, *, callback_id: str = ""
) -> View:
    """A submission's ack: stands until the slow part's result replaces it (see
    bot.slack.modals.replace_working)."""
    view = message_view(title, message or str(text.WORKING), callback_id=callback_id)
    view.external_id = external_id
    return view


def message_view(title: str, message: str, *, callback_id: str = "") -> View:
    """A modal that only says something, with a Close button."""
    return View(
        type="modal",
        callback_id=callback_id or None,
        title=fit(str(title), MAX_TITLE),
        close=str(text.CLOSE),
        blocks=[SectionBlock(text=fit(str(message)))],
    )
