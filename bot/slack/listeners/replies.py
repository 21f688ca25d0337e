"""Answering the person who asked: ephemeral replies, and errors turned into messages."""

from __future__ import annotations

from slack_bolt.context.respond.async_respond import AsyncRespond

from bot.slack.errors import message_for
from bot.slack.views.reply import Reply, refusal_reply


async def reply(respond: AsyncRespond, message: Reply, *, replace: bool = False) -> None:
    """Only the asker sees it; `replace` rewrites the message a button was clicked on."""
    await respond(
        response_type="ephemeral",
        replace_original=replace,
        **message.as_kwargs(),
    )


async def reply_error(respond: AsyncRespond, error: BaseException) -> None:
    await reply(respond, refusal_reply(message_for(error)))
