"""Work nobody clicks for: expiring requests and setting changes, recovering abandoned
executions, housekeeping.

Runs in every `serve`/`socket`/`console` process (and the worker, later). Any number of them
may run it at once: each transition is conditional, so each request is handled by one.
"""

from __future__ import annotations

import logging

from bot.slack import stores
from bot.slack.admin.change_listeners import ChangeNotifier
from bot.slack.clients import WorkspaceClients
from bot.slack.parts import MaintenanceParts
from bot.slack.requests.events import SlackRequestEvents

log = logging.getLogger(__name__)


class Maintenance:
    def __init__(self, parts: MaintenanceParts, clients: WorkspaceClients) -> None:
        self._parts = parts
        self._clients = clients

    async def run_once(self) -> None:
        # Requests: expired, recovered, reconciled, each announced by the service.
        await self._parts.requests.run_due(self._events_for)
        for change in await self._parts.settings_changes.expire_due():
            client = await self._clients.for_team(change.team_id)
            if client is None:
                log.warning(
                    "no Slack token for team %s: setting change %d not announced",
                    change.team_id,
                    change.id,
                )
                continue
            await ChangeNotifier(self._parts, client).settled(change)
        await self._parts.deliveries.forget_old()
        # Install-page visits that never came back (each left an OAuth state row).
        await stores.oauth_state_store(self._parts).purge_expired()

    async def _events_for(self, team_id: str) -> SlackRequestEvents | None:
        """The workspace's events, with nobody acting; None without a Slack token for it."""
        client = await self._clients.for_team(team_id)
        if client is None:
            log.warning("no Slack token for team %s", team_id)
            return None
        return SlackRequestEvents(client, speakers=self._parts)
