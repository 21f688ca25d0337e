"""Web API clients: the configured base URL, one shared HTTP session and retries that never
repeat a post, and one client per workspace for work that no Slack request started (expiry,
recovery, digests)."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.oauth.installation_store import Bot
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.token_rotation.async_rotator import AsyncTokenRotator
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import SlackMode
from bot.slack import stores
from bot.slack.parts import ClientParts
from bot.slack.token_rotation import SerialisedRotation

REPEAT_SAFE_METHODS = frozenset(
    {
        "auth.test",
        "users.info",
        "usergroups.list",
        "usergroups.users.list",
        "conversations.info",
        "conversations.history",
        "conversations.open",  # the same DM channel every time
        "chat.update",  # redraws the same message with the same content
        "views.publish",
        "views.update",
        "team.info",
        "files.getUploadURLExternal",  # an unused upload slot costs nothing
        "apps.connections.open",
    }
)
"""Methods that may be sent twice with no visible effect. Not here, on purpose:
chat.postMessage and chat.postEphemeral (a second message), files.completeUploadExternal (a
second file in the channel), views.open/views.push (a trigger_id is good once) and
oauth.v2.access (a code or refresh token is good once)."""

UNKNOWN_OUTCOME = (aiohttp.ClientError, asyncio.TimeoutError)
"""A call that failed on the way: Slack may or may not have done it."""


def slack_method(request: HttpRequest) -> str:
    return request.url.rstrip("/").rsplit("/", 1)[-1]


class RepeatSafeConnectionErrorRetryHandler(AsyncConnectionErrorRetryHandler):
    """slack_sdk's connection-error retry, minus the repeats that could post twice.

    slack_sdk's default handler retries `ServerDisconnectedError`, `ServerConnectionError`
    and `ClientOSError` for every method. Only `ClientConnectorError` (the connection was
    never made) proves the request was not sent; the others can come after Slack received it
    (the reply lost on the way back, a reset after the write), when a repeated
    `chat.postMessage` would post the approval card or the digest twice. So those are
    retried only for methods in REPEAT_SAFE_METHODS; for a post the error reaches the caller,
    which treats the outcome as unknown rather than guess (see
    bot.slack.requests.notices.SlackRequestNotices.card_needed).
    """

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if error is None:
            return False
        if isinstance(error, aiohttp.ClientConnectorError):
            return True
        return slack_method(request) in REPEAT_SAFE_METHODS and await super()._can_retry_async(
            state=state, request=request, response=response, error=error
        )


class RepeatSafeServerErrorRetryHandler(AsyncServerErrorRetryHandler):
    """A 500/503 may come after the message was stored: retried for repeat-safe methods only."""

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return slack_method(request) in REPEAT_SAFE_METHODS and await super()._can_retry_async(
            state=state, request=request, response=response, error=error
        )


SLACK_TIMEOUT_SECONDS = 30
"""Of one Web API call, and of the process's shared session (bot.runtime)."""


def retry_handlers() -> list[AsyncRetryHandler]:
    """Passing `retry_handlers` replaces slack_sdk's defaults (`async_default_handlers()`, a
    connection-error retry), so that one is kept here, made safe for posts; a 429 is always
    safe to retry (Slack did nothing), after its Retry-After."""
    return [
        RepeatSafeConnectionErrorRetryHandler(max_retry_count=2),
        AsyncRateLimitErrorRetryHandler(max_retry_count=3),
        RepeatSafeServerErrorRetryHandler(max_retry_count=2),
    ]


def without_rate_limit_retries(client: AsyncWebClient) -> AsyncWebClient:
    """The same client (token, URL, session, other retries), leaving a 429 to the caller:
    for work that paces itself and must pause a whole queue, not one call."""
    return AsyncWebClient(
        token=client.token,
        base_url=client.base_url,
        timeout=client.timeout,
        ssl=client.ssl,
        proxy=client.proxy,
        session=client.session,
        headers=client.headers,
        retry_handlers=[
            handler
            for handler in client.retry_handlers
            if not isinstance(handler, AsyncRateLimitErrorRetryHandler)
        ],
    )


def web_client(parts: ClientParts, token: str | None = None) -> AsyncWebClient:
    """Every Web API client the app uses: the configured base URL, the process's shared
    session, and the retries above. Bolt's per-request clients copy the session and the
    retry handlers from the app's client, so they share them too."""
    base = parts.settings.slack_api_url
    options: dict[str, Any] = {"base_url": base} if base else {}
    return AsyncWebClient(
        token=token,
        session=parts.slack_session,
        timeout=SLACK_TIMEOUT_SECONDS,
        retry_handlers=retry_handlers(),
        **options,
    )


class WorkspaceClients:
    """A bot-token client for a workspace, outside any Slack request."""

    def __init__(self, parts: ClientParts, store: AsyncInstallationStore | None) -> None:
        self._parts = parts
        self._store = store
        self._single_team: str | None = None
        self._rotation: SerialisedRotation | None = None

    @classmethod
    def of(cls, parts: ClientParts, store: AsyncInstallationStore | None) -> WorkspaceClients:
        """Clients for background jobs from the app's store. They read the rows themselves,
        never what a request kept in memory: a token another process rotated is waited for by
        reading the row again (`_fresh`)."""
        return cls(parts, getattr(store, "inner", store))

    async def teams(self) -> list[str]:
        """Workspaces with something to do: Partner keys saved or digests subscribed, plus
        (with one workspace) the bot token's own team when keys come from the environment."""
        teams = set(await self._parts.keys.teams())
        teams |= {s for s in await self._parts.digests.subscribed_teams()}
        if self._parts.mode is SlackMode.SINGLE_WORKSPACE and self._parts.keys.has_environment_keys:
            if self._single_team is None:
                client = await self.for_team("")
                if client is not None:
                    self._single_team = (await client.auth_test())["team_id"]
            if self._single_team:
                teams.add(self._single_team)
        return sorted(teams)

    async def for_team(self, team_id: str) -> AsyncWebClient | None:
        if self._parts.mode is SlackMode.SINGLE_WORKSPACE:
            token = self._parts.settings.slack_bot_token
            return web_client(self._parts, token.get_secret_value()) if token else None
        assert self._store is not None
        # Installations are keyed by enterprise *and* team: a workspace inside an Enterprise
        # Grid org is found only with its org's id (see stores.enterprise_of).
        enterprise_id = await stores.enterprise_of(self._parts, team_id)
        bot = await self._store.async_find_bot(enterprise_id=enterprise_id, team_id=team_id)
        if bot is None or not bot.bot_token:
            return None
        if bot.bot_refresh_token and bot.bot_token_expires_at:
            bot = await self._fresh(bot)
        return web_client(self._parts, bot.bot_token)

    async def _fresh(self, bot: Bot) -> Bot:
        """A bot token with time left, rotating it when it is close to expiry: one refresh
        per expiring token, with Bolt's and other processes' (bot.slack.token_rotation)."""
        if self._rotation is None:
            assert self._store is not None
            self._rotation = SerialisedRotation(self._store, self._parts.snapshots, self._rotator())
        return await self._rotation.fresh(bot) or bot

    def _rotator(self) -> AsyncTokenRotator:
        settings = self._parts.settings
        assert settings.slack_client_id and settings.slack_client_secret
        return AsyncTokenRotator(
            client_id=settings.slack_client_id,
            client_secret=settings.slack_client_secret.get_secret_value(),
            client=web_client(self._parts),
        )
