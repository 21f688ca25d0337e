"""Web API clients: the configured base URL and retries, and one per workspace for work that
no Slack request started (expiry, recovery, digests)."""

from __future__ import annotations

from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import SlackMode
from bot.runtime import Runtime


def web_client(runtime: Runtime, token: str | None = None) -> AsyncWebClient:
    """Every Web API client the app uses: the configured base URL, and slack_sdk's retries
    for rate limits (honouring Retry-After) and server errors."""
    base = runtime.settings.slack_api_url
    return AsyncWebClient(
        token=token,
        retry_handlers=[
            AsyncRateLimitErrorRetryHandler(max_retry_count=3),
            AsyncServerErrorRetryHandler(max_retry_count=2),
        ],
        **({"base_url": base} if base else {}),
    )


class WorkspaceClients:
    """A bot-token client for a workspace, outside any Slack request."""

    def __init__(self, runtime: Runtime, store: AsyncInstallationStore | None) -> None:
        self._runtime = runtime
        self._store = store
        self._single_team: str | None = None

    async def teams(self) -> list[str]:
        """Workspaces with something to do: Partner keys saved or digests subscribed, plus
        (with one workspace) the bot token's own team when keys come from the environment."""
        teams = set(await self._runtime.keys.teams())
        teams |= {s for s in await self._runtime.digests.subscribed_teams()}
        if (
            self._runtime.mode is SlackMode.SINGLE_WORKSPACE
            and self._runtime.keys.has_environment_keys
        ):
            if self._single_team is None:
                client = await self.for_team("")
                if client is not None:
                    self._single_team = (await client.auth_test())["team_id"]
            if self._single_team:
                teams.add(self._single_team)
        return sorted(teams)

    async def for_team(self, team_id: str) -> AsyncWebClient | None:
        if self._runtime.mode is SlackMode.SINGLE_WORKSPACE:
            token = self._runtime.settings.slack_bot_token
            return web_client(self._runtime, token.get_secret_value()) if token else None
        assert self._store is not None
        bot = await self._store.async_find_bot(enterprise_id=None, team_id=team_id)
        if bot is None or not bot.bot_token:
            return None
        return web_client(self._runtime, bot.bot_token)
