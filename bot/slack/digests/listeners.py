"""`/partner digest subscribe|unsubscribe|list|now|preview`."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import ContextBlock, MarkdownTextObject

from bot.i18n import current_zone
from bot.i18n.times import when
from bot.slack.blocks import escape
from bot.slack.commands import CommandError
from bot.slack.context import SlashCommand
from bot.slack.digests import texts as text
from bot.slack.digests.parsing import DigestCommand, DigestSubscribe, SpecError, parse_subscription
from bot.slack.digests.views import digest_reply, schedule_text
from bot.slack.direct import dm_channel
from bot.slack.locale import channel_language
from bot.slack.permissions import require_bot_in_channel
from bot.slack.replies import reply
from bot.slack.scheduler import ChannelPacer, digest_csv_file, post_digest
from bot.slack.texts import help as help_text
from bot.slack.views.reply import Reply, plain_reply


async def digest(parsed: DigestSubscribe | DigestCommand, call: SlashCommand) -> None:
    """Every verb of `/partner digest`: they share who may and where the answer goes. The
    replies are the asker's, in their language; a digest posted in a channel, in its own."""
    client, respond, team_id, directory = call.client, call.respond, call.team_id, call.directory
    user_id, channel_id = call.user_id, call.channel_id
    digests = call.services.digests

    async def require_manager(action: object) -> None:
        await call.services.roles.require_manager(team_id, user_id, directory, str(action))

    match parsed:
        case DigestSubscribe(words=words):
            await require_manager(text.SUBSCRIBE_ACTION)
            try:
                spec = parse_subscription(list(words), default_zone=_zone())
            except SpecError as error:
                raise CommandError(escape(str(error)) + " " + help_text.DIGEST_USAGE) from None
            await require_bot_in_channel(client, channel_id)
            subscription = await digests.subscribe(team_id, channel_id, spec, user_id)
            products = (
                text.SUBSCRIBED_PRODUCTS.format(
                    products=", ".join(p.label for p in subscription.products)
                )
                if subscription.products
                else ""
            )
            await reply(
                respond,
                plain_reply(
                    text.SUBSCRIBED.format(
                        schedule=escape(schedule_text(subscription.schedule)),
                        products=products,
                        next=when(subscription.next_run_at),
                    )
                ),
            )
        case DigestCommand(verb="unsubscribe"):
            await require_manager(text.UNSUBSCRIBE_ACTION)
            removed = await digests.unsubscribe(team_id, channel_id, user_id)
            await reply(
                respond, plain_reply(str(text.UNSUBSCRIBED if removed else text.NOT_SUBSCRIBED))
            )
        case DigestCommand(verb="list"):
            await reply(respond, _list(await digests.subscriptions(team_id)))
        case DigestCommand(verb="preview"):
            digest = await digests.build(team_id, None, zone=_zone(), since=None)
            # Anyone may preview the balances; what waits for approval is for those who
            # decide (the same people as `/partner approvals` shows it to).
            deciders = await call.services.roles.is_manager(team_id, user_id, directory)
            message, csv_text = digest_reply(digest, show_pending=deciders)
            if csv_text is not None:
                # The preview is for the asker alone, and an ephemeral message carries no
                # file: the CSV it mentions goes to them by direct message.
                dm = await dm_channel(client, user_id)
                await client.files_upload_v2(
                    channel=dm, content=csv_text, **digest_csv_file(digest)
                )
                note = ContextBlock(elements=[MarkdownTextObject(text=str(text.PREVIEW_CSV_SENT))])
                message = Reply(message.text, (*message.blocks, note))
            await reply(respond, message)
        case DigestCommand(verb="now"):
            await require_manager(text.POST_ACTION)
            await require_bot_in_channel(client, channel_id)
            digest = await digests.build(
                team_id,
                None,
                zone=_zone(),
                since=None,
            )
            seen_in = await channel_language(call.services, team_id, channel_id)
            await post_digest(
                client, ChannelPacer(turns=call.services.turns), channel_id, digest, seen_in
            )
            await reply(respond, plain_reply(str(text.POSTED_NOW)))


def _list(subscriptions: list[Any]) -> Reply:
    if not subscriptions:
        return plain_reply(str(text.LIST_EMPTY))
    rows = [
        text.LIST_ROW.format(
            channel=s.channel_id,
            schedule=escape(schedule_text(s.schedule)),
            products=", ".join(p.label for p in s.products) if s.products else text.ALL_PRODUCTS,
            next=when(s.next_run_at),
            failure=text.LIST_FAILURE.format(failure=escape(s.failure)) if s.failure else "",
        )
        for s in subscriptions
    ]
    return plain_reply(f"*{text.LIST_TITLE}*\n" + "\n".join(rows))


def _zone() -> str:
    """The reader's zone, learnt at the door with their language (no call of its own)."""
    return current_zone() or "UTC"
