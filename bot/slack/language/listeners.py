"""`/partner language [fr|en] [here]`: the language of what channels see, set by an admin.

Without a language, shows the current ones. What one person sees (replies, DMs, modals,
the Home) follows their own Slack locale instead (bot.slack.locale)."""

from __future__ import annotations

from bot.services.errors import NotAllowed
from bot.slack.context import SlashCommand
from bot.slack.language import texts as text
from bot.slack.language.parsing import Language
from bot.slack.locale import command_language
from bot.slack.replies import reply
from bot.slack.texts.common import LANGUAGE_NAMES
from bot.slack.views.reply import plain_reply


async def set_language(parsed: Language, call: SlashCommand) -> None:
    languages = call.services.languages
    if parsed.language is None:
        settings = await languages.settings(call.team_id)
        shown = text.CURRENT.format(
            workspace=LANGUAGE_NAMES[settings.of(None)],
            channel=LANGUAGE_NAMES[settings.of(call.channel_id)],
            user=LANGUAGE_NAMES[await command_language(call)],
        )
        await reply(call.respond, plain_reply(shown))
        return
    if not await call.services.roles.is_admin(call.team_id, call.user_id, call.directory):
        raise NotAllowed(str(text.CHANGE), str(text.ADMINS))
    channel = call.channel_id if parsed.here else None
    await languages.set(call.team_id, parsed.language, call.user_id, channel)
    # The confirmation is the asker's, in the asker's language; the name is of the new one.
    done = text.SET_CHANNEL if parsed.here else text.SET_WORKSPACE
    await reply(call.respond, plain_reply(done.format(language=LANGUAGE_NAMES[parsed.language])))
