"""Work nobody clicks for: expiring requests and setting changes, recovering abandoned
executions, posting and telling what a dead process left unposted or untold, housekeeping.

Runs in every `serve`/`socket`/`console` process (and the worker, later). Any number of them
may run it at once: each transition is conditional, so each request is handled by one.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.slack import stores
from bot.slack.admin.change_listeners import ChangeNotifier
from bot.slack.clients import WorkspaceClients
from bot.slack.parts import MaintenanceParts
from bot.slack.requests.events import SlackRequestEvents

log = logging.getLogger(__name__)

# The process that proposed a setting change takes its card's posting right after storing it,
# and the one that decided it takes its telling right after the card's redraw: one not taken
# after CARD_GRACE_SECONDS was left by a process that died in between.


class Maintenance:
    def __init__(self, parts: MaintenanceParts, clients: WorkspaceClients) -> None:
        self._parts = parts
        self._clients = clients
        self._grace = timedelta(seconds=parts.settings.card_grace_seconds)

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
        await self._post_owed_change_cards()
        # Decisions whose process died before telling them (told in `settled` otherwise).
        for change in await self._parts.settings_changes.untold(self._grace):
            client = await self._clients.for_team(change.team_id)
            if client is not None:
                await ChangeNotifier(self._parts, client).settled(change)
        await self._parts.deliveries.forget_old()
        # Install-page visits that never came back (each left an OAuth state row).
        await stores.oauth_state_store(self._parts).purge_expired()

    async def _post_owed_change_cards(self) -> None:
        """Setting changes whose process died between proposing and posting the card."""
        for change in await self._parts.settings_changes.cards_owed(self._grace):
            policy = await self._parts.policies.get(change.team_id)
            client = await self._clients.for_team(change.team_id)
            if policy.approvals_channel_id is None or client is None:
                continue  # it expires by itself
            await ChangeNotifier(self._parts, client).post_owed_card(
                change, policy.approvals_channel_id
            )

    async def _events_for(self, team_id: str) -> SlackRequestEvents | None:
        """The workspace's events, with nobody acting; None without a Slack token for it."""
        client = await self._clients.for_team(team_id)
        if client is None:
            log.warning("no Slack token for team %s", team_id)
            return None
        return SlackRequestEvents(client, speakers=self._parts)
