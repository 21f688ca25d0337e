"""Work nobody clicks for: expiring requests and setting changes, recovering abandoned
executions, posting and telling what a dead process left unposted or untold, housekeeping.

Runs in every `serve`/`socket`/`console` process (and the worker, later). Any number of them
may run it at once: each transition is conditional, so each request is handled by one.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from slack_sdk.errors import SlackApiError

from bot.clock import utcnow
from bot.slack import stores
from bot.slack.admin.change_listeners import ChangeNotifier
from bot.slack.batches.notices import SlackBatchNotices
from bot.slack.clients import WorkspaceClients
from bot.slack.parts import MaintenanceParts
from bot.slack.recurring.listeners import post_card
from bot.slack.recurring.notices import SlackRecurringNotices, recurring_notices_for
from bot.slack.requests.notices import SlackRequestNotices
from bot.slack.requests.reminders import send_due

log = logging.getLogger(__name__)

# The process that proposed a setting change takes its card's posting right after storing it,
# and the one that decided it takes its telling right after the card's redraw: one not taken
# after CARD_GRACE_SECONDS was left by a process that died in between.


class Maintenance:
    def __init__(self, parts: MaintenanceParts, clients: WorkspaceClients) -> None:
        self._parts = parts
        self._clients = clients
        self._batch_runs: dict[int, asyncio.Future[None]] = {}
        self._grace = timedelta(seconds=parts.settings.card_grace_seconds)

    async def _post_owed_batch_cards(self) -> None:
        """Batches whose process died between making them and posting their card."""
        for batch in await self._parts.batches.cards_owed(self._grace):
            policy = await self._parts.policies.get(batch.team_id)
            notices = await self._batch_notices_for(batch.team_id)
            if policy.approvals_channel_id is None or notices is None:
                continue  # it expires by itself
            try:
                await notices.post_card(batch, policy.approvals_channel_id)
            except SlackApiError as refused:
                await self._parts.batches.withdraw(batch.id, str(refused.response.get("error")))

    async def _run_batch(self, batch_id: int) -> None:
        try:
            batch = await self._parts.batches.get(batch_id)
            await self._parts.batches.run(batch_id, await self._batch_notices_for(batch.team_id))
        except Exception:  # logged here: nobody awaits this task; the lease lets another go on
            log.exception("batch %d: run stopped", batch_id)
        finally:
            self._batch_runs.pop(batch_id, None)

    async def run_once(self) -> None:
        # Requests: expired, recovered, reconciled, each announced by the service.
        await self._parts.requests.run_due(self._notices_for)
        # After expiry: a request that just expired is reminded of no more.
        await send_due(self._parts, self._clients)
        # Recurring top-ups due now, each period once, through approved requests.
        await self._parts.recurring.run_due(utcnow(), self._recurring_notices_for)
        await self._post_owed_series_cards()
        # Batches: drafts and pending ones expired; runs nobody holds (a dead process's, once
        # its lease passed) taken over in the background, so this round is not held up.
        await self._parts.batches.expire_due(self._batch_notices_for)
        await self._post_owed_batch_cards()
        await self._parts.batches.deliver_owed(self._batch_notices_for)
        for batch_id in await self._parts.batches.due_runs():
            if batch_id not in self._batch_runs:
                self._batch_runs[batch_id] = asyncio.ensure_future(self._run_batch(batch_id))
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

    async def _post_owed_series_cards(self) -> None:
        """Recurring series whose asking process died before posting their card."""
        for series in await self._parts.recurring.cards_owed(utcnow() - self._grace):
            policy = await self._parts.policies.get(series.team_id)
            client = await self._clients.for_team(series.team_id)
            if policy.approvals_channel_id is None or client is None:
                continue
            await post_card(self._parts, client, series, policy.approvals_channel_id)

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

    async def _recurring_notices_for(self, team_id: str) -> SlackRecurringNotices | None:
        return await recurring_notices_for(self._clients, self._parts.user_locales, team_id)

    async def _batch_notices_for(self, team_id: str) -> SlackBatchNotices | None:
        client = await self._clients.for_team(team_id)
        return None if client is None else SlackBatchNotices(client, self._parts)

    async def _notices_for(self, team_id: str) -> SlackRequestNotices | None:
        """The workspace's notices, with nobody acting; None without a Slack token for it."""
        client = await self._clients.for_team(team_id)
        if client is None:
            log.warning("no Slack token for team %s", team_id)
            return None
        return SlackRequestNotices(client, speakers=self._parts)
