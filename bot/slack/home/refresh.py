"""Homes published again when what they show changes: a request made or changed anywhere in
the process (a command, a click on the card or the Home, the worker's expiry and recovery),
and a setting changed. Only the Homes people opened (bot.services.home.HomeViewers)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Iterable
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.services.requests import RequestSnapshot
from bot.slack.clients import WorkspaceClients
from bot.slack.context import Services
from bot.slack.home.publisher import HomePublisher

log = logging.getLogger(__name__)


class HomesOfRequests:
    """A `Requests.watch` watcher: after a request changed, the Homes that show it (its
    requester's and its approvers'), with the workspace's bot client."""

    def __init__(self, services: Services, clients: WorkspaceClients) -> None:
        self._services = services
        self._clients = clients

    async def __call__(self, request: RequestSnapshot) -> None:
        in_background(self._services, self._republish(request))

    async def _republish(self, request: RequestSnapshot) -> None:
        viewers = await self._services.home_viewers.of(request.team_id)
        if not viewers:  # nobody in the workspace opened a Home: not even a token lookup
            return
        client = await self._clients.for_team(request.team_id)
        if client is None:
            log.warning("no Slack token for team %s: Homes not republished", request.team_id)
            return
        await HomePublisher(self._services, client).republish_for_request(
            request, only=set(viewers)
        )

    def __eq__(self, other: object) -> bool:
        # One watcher per process's services, however many apps are built on them.
        return isinstance(other, HomesOfRequests) and other._services == self._services

    def __hash__(self) -> int:
        return hash(HomesOfRequests)


class HomeRefresher:
    """bot.slack.parts.HomeRefresh, for the features that change what Homes show."""

    def settings_changed(self, parts: Any, client: AsyncWebClient, team_id: str) -> None:
        settings_changed(parts, client, team_id)

    async def republish(
        self, parts: Any, client: AsyncWebClient, team_id: str, user_ids: Iterable[str]
    ) -> int:
        return await HomePublisher(parts, client).republish(team_id, user_ids)


def settings_changed(services: Any, client: AsyncWebClient, team_id: str) -> None:
    """After a setting changed (at once, or confirmed by an approver): every opened Home of
    the workspace, which may show new roles, policy or channels — in the background."""
    in_background(services, HomePublisher(services, client).republish_viewers(team_id))


def in_background(services: Any, work: Awaitable[None]) -> None:
    """Republishing Homes never holds up what caused it — an approval about to move money, an
    admin waiting for their answer: it runs after, in a task the process waits for when it
    stops (`services.inflight`). Best effort: a failure is logged, never raised."""
    services.inflight.track(asyncio.ensure_future(_logged(work)))


async def _logged(work: Awaitable[None]) -> None:
    try:
        await work
    except Exception as error:  # a Home is a view: never let it break anything
        log.warning("Homes not republished: %s", type(error).__name__)
