"""Answering the person who asked: ephemeral replies (errors: bot.slack.error_handler)."""

from __future__ import annotations

from slack_bolt.context.respond.async_respond import AsyncRespond

from bot.slack.views.reply import Reply


async def reply(respond: AsyncRespond, message: Reply, *, replace: bool = False) -> None:
    """Only the asker sees it; `replace` rewrites the message a button was clicked on."""
    await respond(
        response_type="ephemeral",
        replace_original=replace,
        **message.as_kwargs(),
    )
