"""Publishing people's Home tabs: on opening, and again when something they see changed."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection, Iterable

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.i18n import language
from bot.services.home import HomeService, HomeViewers
from bot.services.requests import RequestSnapshot
from bot.services.roles import Role, SubjectKind
from bot.slack.context import Services
from bot.slack.directory import SlackDirectory
from bot.slack.home.views import home_view
from bot.slack.locale import user_language

log = logging.getLogger(__name__)

PACE_SECONDS = 0.05
"""Between two publishes of one republish: views.publish is Tier 4 (100+ a minute), and a
decision that touches many approvers' Homes must not spend it in one burst."""


def home_service(services: Services) -> HomeService:
    return HomeService(
        database=services.database,
        keys=services.keys,
        partner=services.partner,
        roles=services.roles,
        requests=services.requests,
        snapshots=services.snapshots,
        alerts=services.alerts,
        digests=services.digests,
    )


class HomePublisher:
    """Renders and publishes Home tabs with one workspace's client. Best effort: a Home that
    cannot be published is logged (Slack's error code only) and never fails the caller."""

    def __init__(
        self, services: Services, client: AsyncWebClient, *, pace: float = PACE_SECONDS
    ) -> None:
        self._services = services
        self._home = home_service(services)
        self._client = client
        self._pace = pace

    async def publish(self, team_id: str, user_id: str, *, opened: bool = False) -> None:
        """Render and publish one person's Home in their Slack language; raises what Slack or
        the services raise. `opened`: they are looking at it now (remembered, so later changes
        publish it again)."""
        if opened:
            await HomeViewers(self._services.database).opened(team_id, user_id)
        directory = SlackDirectory(self._client, self._services.group_members, team_id)
        snapshot = await self._home.snapshot(team_id, user_id, directory)
        spoken = await user_language(self._services.user_locales, self._client, team_id, user_id)
        with language(spoken):
            view = home_view(snapshot)
        await self._client.views_publish(user_id=user_id, view=view)

    async def republish_viewers(self, team_id: str) -> int:
        """After a settings change: every Home opened in the workspace (what each shows of the
        settings, roles and policy may have changed)."""
        viewers = await self._viewers(team_id)
        return await self.republish(team_id, viewers) if viewers else 0

    async def _viewers(self, team_id: str) -> list[str]:
        try:
            return await HomeViewers(self._services.database).of(team_id)
        except Exception as error:  # best effort: the change behind it is done already
            log.warning("Home viewers not read: %s", type(error).__name__)
            return []

    async def republish_for_request(
        self, request: RequestSnapshot, *, only: Collection[str] | None = None
    ) -> int:
        """After a request changed (made, decided, cancelled, settled): the Homes that show
        it — its requester's ("My requests") and every approver's ("Waiting for me"), groups
        of approvers by their members. `only`: of those, these people's (who opened one). Best
        effort, like `republish`."""
        team_id = request.team_id
        directory = SlackDirectory(self._client, self._services.group_members, team_id)
        people = [request.requester_id]
        try:
            for subject in await self._services.roles.members(team_id, Role.APPROVER):
                if subject.kind is SubjectKind.USER:
                    people.append(subject.id)
                else:
                    people.extend(sorted(await directory.group_members(subject.id)))
        except Exception as error:  # the requester's Home at least
            log.warning(
                "approvers of request #%d not read: %s", request.number, type(error).__name__
            )
        if only is not None:
            people = [p for p in people if p in only]
        return await self.republish(team_id, people)

    async def republish(self, team_id: str, user_ids: Iterable[str]) -> int:
        """Publish again the Homes of `user_ids` (each once, in order), paced; how many were
        published. Never raises: the change that called it is done already."""
        published = 0
        for index, user_id in enumerate(dict.fromkeys(u for u in user_ids if u)):
            if index and self._pace:
                await asyncio.sleep(self._pace)
            try:
                await self.publish(team_id, user_id)
                published += 1
            except SlackApiError as error:
                log.warning(
                    "Home of %s not republished: Slack said %s",
                    user_id,
                    error.response.get("error"),
                )
            except Exception as error:  # best effort: never break the action behind it
                log.warning("Home of %s not republished: %s", user_id, type(error).__name__)
        return published
