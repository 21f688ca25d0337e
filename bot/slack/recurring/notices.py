"""What a series tells its owner, in Slack: a DM in the owner's language."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from bot.i18n import language
from bot.services.languages import UserLocales
from bot.services.recurring.model import Series
from bot.services.recurring.notices import News
from bot.slack.clients import WorkspaceClients
from bot.slack.direct import dm_channel
from bot.slack.locale import user_language
from bot.slack.recurring.views import owner_dm
from bot.slack.views.reply import plain_reply


class SlackRecurringNotices:
    def __init__(self, client: AsyncWebClient, locales: UserLocales) -> None:
        self._client = client
        self._locales = locales

    async def told(self, series: Series, news: News) -> None:
        owner = series.created_by
        lang = await user_language(self._locales, self._client, series.team_id, owner)
        with language(lang):
            message = plain_reply(owner_dm(series, news))
        channel = await dm_channel(self._client, owner)
        await self._client.chat_postMessage(channel=channel, **message.as_kwargs())


async def recurring_notices_for(
    clients: WorkspaceClients, locales: UserLocales, team_id: str
) -> SlackRecurringNotices | None:
    """A workspace's series notices, with nobody acting (a round of the scheduler or of
    maintenance); None without a Slack token for it."""
    client = await clients.for_team(team_id)
    return None if client is None else SlackRecurringNotices(client, locales)
