"""What Slack shows of a batch: its card (posted once, redrawn as it is decided and as it runs,
at most every `CARD_EVERY` seconds), its CSV in the card's thread, and the results CSV to the
thread and to the requester. Every post is in the language of who reads it."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Protocol

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import utcnow
from bot.i18n import language
from bot.services.batches.delivery import PLACES, THREAD, ResultsNotDelivered
from bot.services.batches.model import BatchSnapshot, BatchStatus, Progress, RowSnapshot
from bot.services.batches.results import results_csv
from bot.services.batches.service import Batches
from bot.services.languages import Languages, UserLocales
from bot.slack.batches import texts as text
from bot.slack.batches.views import card, results_comment
from bot.slack.direct import dm_channel
from bot.slack.locale import user_language
from bot.slack.parts import HomeRefresh
from bot.slack.slack_text import escape

log = logging.getLogger(__name__)

CARD_EVERY = 3.0
"""Seconds between two redraws of a running batch's card: Slack allows about one message a
second per channel, and a card redrawn 500 times helps nobody."""


class BatchParts(Protocol):
    @property
    def batches(self) -> Batches: ...

    @property
    def languages(self) -> Languages: ...

    @property
    def user_locales(self) -> UserLocales: ...

    @property
    def home_refresh(self) -> HomeRefresh: ...


class SlackBatchNotices:
    def __init__(self, client: AsyncWebClient, parts: BatchParts) -> None:
        self._client = client
        self._parts = parts
        self._last_redraw = 0.0

    async def _card_language(self, batch: BatchSnapshot) -> str:
        return await self._parts.languages.for_channel(batch.team_id, batch.card_channel_id)

    async def post_card(self, batch: BatchSnapshot, channel_id: str) -> bool:
        """The card, then the batch's CSV in its thread, by whoever takes the posting (False:
        someone else did). Slack refusing the card raises."""
        if not await self._parts.batches.claim_card(batch.id, channel_id):
            return False
        rows = await self._parts.batches.rows(batch.id)
        lang = await self._parts.languages.for_channel(batch.team_id, channel_id)
        with language(lang):
            message = card(batch, rows)
            comment = str(text.THREAD_CSV)
        answer = await self._client.chat_postMessage(channel=channel_id, **message)
        await self._parts.batches.set_card(batch.id, answer["channel"], answer["ts"])
        try:
            await self._client.files_upload_v2(
                channel=answer["channel"],
                thread_ts=answer["ts"],
                content=batch.csv_text,
                filename=f"batch-{batch.number}.csv",
                title=f"batch-{batch.number}.csv",
                initial_comment=comment,
            )
        except SlackApiError as error:
            # The card is out and approvable; its rows are in the results CSV later.
            log.warning(
                "batch %d: CSV not in the thread: %s", batch.id, error.response.get("error")
            )
        self._homes(batch)
        return True

    def _homes(self, batch: BatchSnapshot) -> None:
        """The opened Homes, which list the batch (its approvers', its requester's), drawn
        again in the background."""
        self._parts.home_refresh.settings_changed(self._parts, self._client, batch.team_id)

    async def redraw(self, batch: BatchSnapshot, progress: Progress | None = None) -> None:
        if progress is None:  # decided, expired or settled: not each step of a run
            self._homes(batch)
        if not (batch.card_channel_id and batch.card_ts):
            return
        rows = await self._parts.batches.rows(batch.id)
        with language(await self._card_language(batch)):
            message = card(batch, rows, progress)
        try:
            await self._client.chat_update(
                channel=batch.card_channel_id, ts=batch.card_ts, **message
            )
        except SlackApiError as error:
            log.warning("batch %d card not redrawn: %s", batch.id, error.response.get("error"))

    async def progress(self, batch: BatchSnapshot, read: Callable[[], Awaitable[Progress]]) -> None:
        now = time.monotonic()
        if now - self._last_redraw < CARD_EVERY:
            return
        self._last_redraw = now
        await self.redraw(await self._parts.batches.get(batch.id), await read())

    async def expired(self, batch: BatchSnapshot) -> None:
        await self.redraw(batch)
        if batch.card_channel_id:  # a draft nobody confirmed was never shown: nobody to tell
            await self.decided(batch)

    async def decided(self, batch: BatchSnapshot) -> None:
        """Tell the requester their batch will not run (rejected, expired), in their language."""
        lang = await user_language(
            self._parts.user_locales, self._client, batch.team_id, batch.requester_id
        )
        with language(lang):
            if batch.status is BatchStatus.REJECTED:
                told = text.REJECTED_DM.format(
                    number=batch.number,
                    by=batch.decided_by,
                    reason=escape(batch.rejection_reason or "—"),
                )
            else:
                told = text.EXPIRED_DM.format(number=batch.number)
        try:
            channel = await dm_channel(self._client, batch.requester_id)
            await self._client.chat_postMessage(channel=channel, text=told)
        except SlackApiError as error:
            log.warning("batch %d: requester not told: %s", batch.id, error.response.get("error"))

    async def finished(
        self,
        batch: BatchSnapshot,
        rows: list[RowSnapshot],
        *,
        skip: frozenset[str] = frozenset(),
        delivered: Callable[[str], Awaitable[None]] | None = None,
    ) -> None:
        """The card's last state, then the results CSV in its thread and to the requester
        (but where `skip` says they arrived), each place marked by `delivered` once Slack
        took it. Raises ResultsNotDelivered if a place is worth trying again."""
        progress = await self._parts.batches.progress(batch.id)
        await self.redraw(batch, progress)
        self._homes(batch)
        content = results_csv(rows)
        filename = f"batch-{batch.number}-results-{utcnow():%Y%m%d-%H%M}.csv"
        again = []
        for place in PLACES:
            if place in skip:
                continue
            try:
                await self._send_results(place, batch, progress, content, filename)
            except SlackApiError as error:
                said = error.response.get("error")
                if not worth_trying_again(error):  # refused for good: sending again would not help
                    log.warning("batch %d results not sent to %s: %s", batch.id, place, said)
                else:
                    again.append(f"{place}: {said}")
                    continue
            except (aiohttp.ClientError, TimeoutError) as error:
                again.append(f"{place}: {type(error).__name__}")
                continue
            if delivered is not None:
                await delivered(place)
        if again:
            raise ResultsNotDelivered(", ".join(again))

    async def _send_results(
        self, place: str, batch: BatchSnapshot, progress: Progress, content: str, filename: str
    ) -> None:
        if place == THREAD:
            if not (batch.card_channel_id and batch.card_ts):
                return  # no card, no thread
            with language(await self._card_language(batch)):
                comment = results_comment(batch, progress)
            where = {"channel": batch.card_channel_id, "thread_ts": batch.card_ts}
        else:
            lang = await user_language(
                self._parts.user_locales, self._client, batch.team_id, batch.requester_id
            )
            with language(lang):
                comment = results_comment(batch, progress)
            where = {"channel": await dm_channel(self._client, batch.requester_id)}
        await self._client.files_upload_v2(
            **where, content=content, filename=filename, title=filename, initial_comment=comment
        )


def worth_trying_again(error: SlackApiError) -> bool:
    """Slack's own trouble or its rate limit: the same file goes through later."""
    status = getattr(error.response, "status_code", 200)
    return status >= 500 or status == 429 or error.response.get("error") in PASSING


PASSING = frozenset({"internal_error", "fatal_error", "ratelimited", "service_unavailable",
                     "request_timeout"})  # fmt: skip
