"""Publishing people's Home tabs: on opening, and again when something they see changed —
through the process's HomeQueue (bot.slack.home.pacing): coalesced per person, paced per
workspace within views.publish's tier, a 429 waited out, never dropped."""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable
from functools import partial

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.i18n import language, zone
from bot.services.requests import RequestSnapshot
from bot.services.roles import Role, SubjectKind
from bot.slack.clients import without_rate_limit_retries
from bot.slack.context import Services
from bot.slack.directory import SlackDirectory
from bot.slack.home.pacing import RateLimited
from bot.slack.home.views import home_view
from bot.slack.locale import user_language, user_zone

log = logging.getLogger(__name__)


class HomePublisher:
    """Renders and publishes Home tabs with one workspace's client. Best effort: a Home that
    cannot be published is logged (Slack's error code only) and never fails the caller; one
    Slack refuses for its rate limit waits its turn again."""

    def __init__(self, services: Services, client: AsyncWebClient) -> None:
        self._services = services
        self._home = services.home
        self._client = client
        # Slack's 429 on views.publish is the queue's to wait out (it pauses the whole
        # workspace's lane), not slack_sdk's to retry call by call.
        self._publishing = without_rate_limit_retries(client)

    async def publish(self, team_id: str, user_id: str, *, opened: bool = False) -> None:
        """Publish one person's Home in their Slack language, once it has its turn. `opened`:
        they are looking at it now (remembered, so later changes publish it again)."""
        if opened:
            await self._services.home_viewers.opened(team_id, user_id)
        await self.republish(team_id, [user_id])

    async def _publish_now(self, team_id: str, user_id: str) -> None:
        """The queue's job: render what the Home shows now, and publish it."""
        try:
            directory = SlackDirectory(self._client, self._services.group_members, team_id)
            snapshot = await self._home.snapshot(team_id, user_id, directory)
            spoken = await user_language(
                self._services.user_locales, self._client, team_id, user_id
            )
            zone_name = await user_zone(self._services.user_locales, self._client, team_id, user_id)
            with language(spoken), zone(zone_name):
                view = home_view(snapshot)
            await self._publishing.views_publish(user_id=user_id, view=view)
        except SlackApiError as error:
            if error.response.status_code == 429:
                raise RateLimited(_retry_after(error.response.headers)) from error
            log.warning(
                "Home of %s not republished: Slack said %s", user_id, error.response.get("error")
            )
            raise
        except Exception as error:
            log.warning("Home of %s not republished: %s", user_id, type(error).__name__)
            raise

    async def republish_viewers(self, team_id: str) -> int:
        """After a settings change: every Home opened in the workspace (what each shows of the
        settings, roles and policy may have changed)."""
        viewers = await self._viewers(team_id)
        return await self.republish(team_id, viewers) if viewers else 0

    async def _viewers(self, team_id: str) -> list[str]:
        try:
            return await self._services.home_viewers.of(team_id)
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
        """Publish again the Homes of `user_ids` (each once), through the queue; how many were
        published. Never raises: the change that called it is done already."""
        job = partial(self._publish_now, team_id)
        return await self._services.homes.publish(team_id, user_ids, job)


def _retry_after(headers: dict[str, object]) -> float:
    for name, value in (headers or {}).items():
        if name.lower() == "retry-after":
            try:
                return max(1.0, float(str(value[0] if isinstance(value, list) else value)))
            except ValueError:
                break
    return 1.0  # Slack always says; a minimal wait if it did not
