"""`/partner`'s listener: the text read once at the door, then the one handler of its entry.

`read_command`, the listener middleware Bolt runs before `partner`, decodes the text
(bot.slack.slack_text.from_slack) and parses it against the table (bot.slack.partner_command) once,
before the ack; `partner` acks, checks the member (bot.slack.membership.check_member), and
answers a refusal with its usage line or runs the entry's handler. The membership check reads
the same entry for what a guest may run (bot.slack.workspace_guard).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.commands import CommandError
from bot.slack.context import SlashCommand
from bot.slack.lean_middleware import lean
from bot.slack.lookups.help_views import usage_reply
from bot.slack.membership import check_member
from bot.slack.partner_command import COMMAND, Parsed, Read, read
from bot.slack.replies import reply
from bot.slack.slack_text import from_slack


async def read_command(
    body: dict[str, Any],
    context: AsyncBoltContext,
    next_: Callable[[], Awaitable[None]],
) -> None:
    """The door of `/partner`: Slack's formatting off, back to what was typed
    (bot.slack.slack_text.from_slack), then parsed, once; everything after reads
    `context[COMMAND]`. (A slash command's body is the command.)"""
    context[COMMAND] = read(from_slack(body.get("text") or ""))
    await next_()


async def partner(
    ack: AsyncAck,
    command: dict[str, Any],
    respond: AsyncRespond,
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    typed: Read = context[COMMAND]
    await ack()
    if not (isinstance(typed, Parsed) and typed.subcommand.opens_first):
        # After the ack (users.info may be slow), before anything is done; it sets the asker's
        # language, which a refusal is worded in. A subcommand that opens a modal is checked
        # by open_first once the modal is open: its trigger_id must reach views.open first.
        await check_member(context)
    if isinstance(typed, CommandError):
        usage = None if typed.usage is None else str(typed.usage)
        await reply(respond, usage_reply(typed.message, usage))
        return
    # A refusal or failure raised from here is answered to the asker by the app's error
    # handler (bot.slack.error_handler).
    call = SlashCommand.of(command, respond, client, context)
    await typed.subcommand.handle(typed.command, call)


def register(app: AsyncApp) -> None:
    # Through `lean`, as the global middleware: no argument injection before the ack.
    app.command("/partner", middleware=[lean(read_command)])(partner)
