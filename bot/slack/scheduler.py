"""The worker's jobs: digests when due, hourly snapshots, low-balance alerts, and the spend
ledger's balance readings (every BALANCE_READ_SECONDS) with their anomaly alerts.

Any number of workers may run this against one database: each digest run is claimed with a
conditional update, each hourly snapshot and each ledger reading with a unique job-run row, so
each happens once.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from datetime import UTC

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import utcnow
from bot.i18n import language, times
from bot.partner.models import Product
from bot.services.alerts import ThresholdCrossed
from bot.services.anomalies.ledger import SubaccountReading
from bot.services.digests import Digest, Subscription, since_for
from bot.services.errors import NotConfigured
from bot.services.roles import Role, SubjectKind
from bot.services.schedule import lateness
from bot.services.snapshots import Reading
from bot.services.turns import Turns
from bot.slack.alerts.checking import check_and_post
from bot.slack.anomalies.announce import announce
from bot.slack.clients import WorkspaceClients
from bot.slack.controls.announce import announce_over_cap
from bot.slack.digests import texts as digest_text
from bot.slack.digests.views import digest_reply
from bot.slack.direct import dm_channel
from bot.slack.locale import user_language
from bot.slack.parts import SchedulerParts
from bot.slack.recurring.notices import SlackRecurringNotices, recurring_notices_for

log = logging.getLogger(__name__)

CHANNEL_ERRORS = {
    "channel_not_found",
    "is_archived",
    "not_in_channel",
    "channel_is_archived",
    "restricted_action",
    "missing_scope",
    "account_inactive",
    "invalid_auth",
    "token_revoked",
}
"""Answers that will not change by trying again: the channel (or workspace) needs a person."""


class ChannelPacer:
    """At most one message a second per channel, as Slack asks; other channels don't wait.

    With `turns` the second is shared by every process on the database (bot.services.turns):
    web processes and workers multiplied still post once a second per channel between them.
    Without, this process alone is paced (tests of the pacing itself)."""

    def __init__(
        self,
        interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        *,
        turns: Turns | None = None,
    ) -> None:
        self._turns = turns
        self._interval = interval
        self._clock = clock
        self._sleep = sleep
        self._last: dict[str, float] = {}
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def wait(self, channel_id: str) -> None:
        if self._turns is not None:
            await self._turns.wait(channel_id)
            return
        async with self._locks[channel_id]:
            last = self._last.get(channel_id)
            if last is not None:
                delay = self._interval - (self._clock() - last)
                if delay > 0:
                    await self._sleep(delay)
            self._last[channel_id] = self._clock()


async def post_digest(
    client: AsyncWebClient, pacer: ChannelPacer, channel_id: str, digest: Digest, lang: str
) -> None:
    """The digest message, then its CSV when the subaccounts did not fit, each paced, in
    `lang`: the channel's language (bot.services.languages), not the asker's."""
    with language(lang):
        message, csv_text = digest_reply(digest)
        csv_file = digest_csv_file(digest)
    await pacer.wait(channel_id)
    await client.chat_postMessage(channel=channel_id, **message.as_kwargs())
    if csv_text is not None:
        await pacer.wait(channel_id)
        await client.files_upload_v2(channel=channel_id, content=csv_text, **csv_file)


def digest_csv_file(digest: Digest) -> dict[str, str]:
    """The CSV's name, title and comment, in the language of the moment."""
    day = digest.generated_at.strftime("%Y-%m-%d")  # the file's name
    shown = times.day(digest.generated_at, digest.zone)
    return {
        "filename": f"partner-ops-subaccounts-{day}.csv",
        "title": digest_text.CSV_TITLE.format(date=shown),
        "initial_comment": digest_text.CSV_COMMENT.format(date=shown),
    }


class Scheduler:
    def __init__(
        self,
        parts: SchedulerParts,
        clients: WorkspaceClients,
        *,
        worker_id: str | None = None,
        pacer: ChannelPacer | None = None,
    ) -> None:
        self._parts = parts
        self._clients = clients
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self._pacer = pacer or ChannelPacer(turns=parts.turns)
        self._languages = parts.languages
        self._ledger = parts.ledger

    async def run_once(self) -> None:
        await self.run_due_digests()
        readings = await self.run_hourly()
        await self.run_ledger(readings)

    # --- digests --------------------------------------------------------------------------

    async def run_due_digests(self) -> None:
        claimed = await self._parts.digests.claim_due(self.worker_id)
        # Channels are independent: one slow or broken channel holds up no other.
        await asyncio.gather(*(self._run_digest(s) for s in claimed))

    async def _run_digest(self, subscription: Subscription) -> None:
        digests = self._parts.digests
        now = utcnow()
        verdict = lateness(subscription.next_run_at, now)
        if verdict == "too_late":
            log.warning(
                "digest %d for %s (due %s) dropped: more than 6 h late",
                subscription.id,
                subscription.channel_id,
                subscription.next_run_at,
            )
            await digests.finish(subscription, self.worker_id, posted=False)
            return
        late_by = now - subscription.next_run_at if verdict == "late" else None
        try:
            client = await self._clients.for_team(subscription.team_id)
            if client is None:
                raise RuntimeError("no Slack token for this workspace")
            digest = await digests.build(
                subscription.team_id,
                subscription.products,
                zone=subscription.schedule.zone,
                since=since_for(subscription),
                late_by=late_by,
            )
            lang = await self._languages.for_channel(subscription.team_id, subscription.channel_id)
            await post_digest(client, self._pacer, subscription.channel_id, digest, lang)
        except SlackApiError as error:
            code = str(error.response.get("error"))
            reported = False
            if code in CHANNEL_ERRORS and subscription.failure_reported_at is None:
                reported = await self._report_broken(subscription, code)
            log.warning(
                "digest %d not posted in %s: %s", subscription.id, subscription.channel_id, code
            )
            await digests.finish(
                subscription, self.worker_id, posted=False, failure=code, failure_reported=reported
            )
            return
        except NotConfigured:
            await digests.finish(
                subscription, self.worker_id, posted=False, failure="no Partner key"
            )
            return
        except Exception:
            log.exception("digest %d failed", subscription.id)
            await digests.finish(
                subscription, self.worker_id, posted=False, failure="internal error"
            )
            return
        await digests.finish(subscription, self.worker_id, posted=True)

    async def _report_broken(self, subscription: Subscription, code: str) -> bool:
        """Tell the subscriber and the workspace's added admins, once, by DM."""
        client = await self._clients.for_team(subscription.team_id)
        if client is None:
            return False
        admins = await self._parts.roles.members(subscription.team_id, Role.ADMIN)
        people = {subscription.created_by} | {a.id for a in admins if a.kind is SubjectKind.USER}
        told = False
        for user_id in sorted(people):
            try:
                # A DM: in the reader's own Slack language (cached per user).
                lang = await user_language(
                    self._parts.user_locales, client, subscription.team_id, user_id
                )
                with language(lang):
                    message = digest_text.CHANNEL_BROKEN.format(
                        channel=subscription.channel_id, error=code
                    )
                dm = await dm_channel(client, user_id)
                await client.chat_postMessage(channel=dm, text=message)
                told = True
            except SlackApiError as error:
                log.warning(
                    "could not tell %s about a broken digest: %s",
                    user_id,
                    error.response.get("error"),
                )
        return told

    # --- hourly snapshots and alerts ------------------------------------------------------

    async def run_hourly(self) -> dict[tuple[str, Product], Reading]:
        """The hourly snapshot of each product, once across workers; what was read, for the
        ledger to share."""
        hour = utcnow().strftime("%Y-%m-%dT%H")
        taken: dict[tuple[str, Product], Reading] = {}
        for team_id in await self._clients.teams():
            for product in await self._parts.partner.configured_products(team_id):
                period = f"{product.value}:{hour}"
                if not await self._parts.snapshots.claim("snapshot", team_id, period):
                    continue
                reading = taken[team_id, product] = await self._parts.snapshots.read(
                    team_id, product, "hourly"
                )
                await self.check_alerts(team_id, product, reading)
                await self._parts.snapshots.thin(team_id, product)
        await self._parts.snapshots.forget_old_claims()
        return taken

    # --- the spend ledger -----------------------------------------------------------------

    async def run_ledger(self, shared: dict[tuple[str, Product], Reading] | None = None) -> None:
        """One reading of SMS and Mail subaccounts per BALANCE_READ_SECONDS, claimed once
        across workers. A reading the hourly snapshot just took is used, not taken again; a
        failed one is skipped, and its spend merges into the next."""
        every = self._parts.settings.balance_read_seconds
        period = int(utcnow().replace(tzinfo=UTC).timestamp() // every)
        shared = shared or {}
        for team_id in await self._clients.teams():
            for product in await self._parts.partner.configured_products(team_id):
                if not product.has_subaccounts:
                    continue
                claim = f"{product.value}:{period}"
                if not await self._parts.snapshots.claim("ledger", team_id, claim):
                    continue
                try:
                    await self._read_ledger(team_id, product, shared.get((team_id, product)))
                except Exception:
                    # One workspace's trouble holds up no other's reading.
                    log.exception("ledger reading of %s failed", product.value)

    async def _read_ledger(self, team_id: str, product: Product, known: Reading | None) -> None:
        reading = (
            SubaccountReading(product, known.taken_at, known.subaccounts, known.failure)
            if known is not None
            else await self._ledger.read(team_id, product)
        )
        if reading.failure is not None:
            log.warning("ledger: %s not read: %s", product.value, reading.failure.detail)
            return
        opened = await self._ledger.record(team_id, reading)
        # After the record: an anomaly this reading opened already holds automatic top-ups back.
        await self._parts.recurring.on_reading(
            team_id, reading.product, reading.subaccounts, reading.taken_at, self._recurring_notices
        )
        balances = {s.token: s.balance for s in reading.subaccounts}
        over = await self._parts.controls.over_cap(team_id, product, balances)
        client = await self._clients.for_team(team_id) if opened or over else None
        if client is not None and opened:
            await announce(self._parts, client, self._pacer.wait, team_id, opened)
        if client is not None and over:
            await announce_over_cap(self._parts, client, self._pacer.wait, team_id, over)

    async def _recurring_notices(self, team_id: str) -> SlackRecurringNotices | None:
        return await recurring_notices_for(self._clients, self._parts.user_locales, team_id)

    async def run_alert_round(self) -> int:
        """The hourly reading and alert check of every product, now and unclaimed (the
        console's `round`): returns how many alerts fired."""
        fired = 0
        for team_id in await self._clients.teams():
            for product in await self._parts.partner.configured_products(team_id):
                fired += len(await self._read_and_check(team_id, product))
        return fired

    async def _read_and_check(self, team_id: str, product: Product) -> list[ThresholdCrossed]:
        reading = await self._parts.snapshots.read(team_id, product, "hourly")
        return await self.check_alerts(team_id, product, reading)

    async def check_alerts(
        self, team_id: str, product: Product, reading: Reading
    ) -> list[ThresholdCrossed]:
        client = await self._clients.for_team(team_id)
        return await check_and_post(
            self._parts, client, team_id, product, reading, self._pacer.wait
        )
