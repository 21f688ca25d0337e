"""Carrying out an approved batch: each row once, in file order, by whoever holds the batch's
lease.

A row's vendor call is made only by whoever moves it waiting → executing (one conditional
UPDATE), and no move goes back to waiting, so a row is sent at most once, whatever crashes.
The balances are read fresh once when a run starts and followed from the vendor's answers:
when the main account cannot pay a row, the row fails before any vendor call (so do the
rows after it that cannot be paid either). An unknown outcome (a timeout) is reconciled from
fresh balances at once, before any later row can touch the same subaccount; what the balances
cannot tell stays unknown for an approver — never retried. A process that dies mid-run leaves
its lease to pass: the next runner marks the row it was sending unknown and reconciles it the
same way, then goes on with the waiting rows.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable
from datetime import timedelta
from decimal import Decimal
from typing import Protocol

from bot.clock import utcnow
from bot.money import format_money
from bot.partner.client import SubaccountClient
from bot.partner.errors import (
    PartnerError,
    PartnerOutcomeUnknown,
    PartnerUnavailable,
)
from bot.services import audit
from bot.services.batches.delivery import ResultsDelivery, ResultsNotices
from bot.services.batches.model import BatchSnapshot, BatchStatus, Progress, RowSnapshot, RowStatus
from bot.services.batches.store import BatchStore
from bot.services.errors import NotConfigured
from bot.services.partner_access import PartnerAccess
from bot.services.requests.executing import describe

log = logging.getLogger(__name__)


class BatchNotices(ResultsNotices, Protocol):
    """What the Slack side shows while a batch runs (bot/slack/batches/notices.py); its
    `finished` sends the results."""

    async def progress(self, batch: BatchSnapshot, read: Callable[[], Awaitable[Progress]]) -> None:
        """A row has moved. `read` counts the rows by status: a query over the whole batch,
        so it is called only when the progress is shown (every few seconds), not per row."""

    async def expired(self, batch: BatchSnapshot) -> None: ...


class Running:
    def __init__(
        self,
        store: BatchStore,
        partner: PartnerAccess,
        lease: timedelta,
        results: ResultsDelivery,
        *,
        before_call: Callable[[RowSnapshot], Awaitable[None]] | None = None,
    ) -> None:
        self._store = store
        self._partner = partner
        self._lease = lease
        self.results = results
        # Tests hold a row here, just before its vendor call, to kill the process there.
        self._before_call = before_call

    async def run(self, batch_id: int, notices: BatchNotices | None = None) -> BatchSnapshot:
        runner = secrets.token_hex(8)
        if not await self._store.take_run(batch_id, runner, utcnow() + self._lease):
            return await self._store.get(batch_id)
        batch = await self._store.get(batch_id)
        try:
            client = await self._partner.subaccount_client(batch.team_id, batch.product)
        except NotConfigured:
            client = None
        if client is None or client.key_id != batch.key_id:
            failed = await self._fail_all(
                batch, "the product's Partner key changed since the batch was checked"
            )
            if notices is not None:
                await self.results.deliver(batch.id, notices)
            return failed
        run = _Run(self, batch, client, runner, notices)
        await run.recover()
        await run.rows()
        return await run.close()

    async def _fail_all(self, batch: BatchSnapshot, note: str) -> BatchSnapshot:
        for row in await self._store.rows(batch.id, status=RowStatus.WAITING):
            await self._store.move_row(
                batch, row, RowStatus.WAITING, RowStatus.FAILED, "batch_row_failed_before_call",
                values={"outcome_note": note}, note=note,
            )  # fmt: skip
        await self._store.move(
            batch.id, [BatchStatus.RUNNING], BatchStatus.DONE, "batch_finished", audit.SYSTEM,
            values={"finished_at": utcnow(), "runner_until": None},
        )  # fmt: skip
        return await self._store.get(batch.id)


class _Run:
    """One runner's pass over a batch, with the balances it follows."""

    def __init__(
        self,
        running: Running,
        batch: BatchSnapshot,
        client: SubaccountClient,
        runner: str,
        notices: BatchNotices | None,
    ) -> None:
        self._running = running
        self._store = running._store
        self._batch = batch
        self._client = client
        self._runner = runner
        self._notices = notices
        self._main = Decimal(0)
        self._balances: dict[str, Decimal] = {}
        self._lease_renewed = utcnow()

    async def _read(self) -> None:
        self._main = (await self._client.me(fresh=True)).balance
        self._balances = {
            s.token: s.balance for s in await self._client.all_subaccounts(fresh=True)
        }

    async def recover(self) -> None:
        """The row a dead runner was sending: unknown, then judged from the balances."""
        for row in await self._store.rows(self._batch.id, status=RowStatus.EXECUTING):
            note = "the process sending it stopped before the vendor's answer was stored"
            await self._store.move_row(
                self._batch, row, RowStatus.EXECUTING, RowStatus.UNKNOWN, "batch_row_abandoned",
                values={"outcome_note": note}, note=note,
            )  # fmt: skip
        await self._read()
        for row in await self._store.rows(self._batch.id, status=RowStatus.UNKNOWN):
            await self._reconcile(row)

    async def rows(self) -> None:
        for row in await self._store.rows(self._batch.id, status=RowStatus.WAITING):
            if not await self._keep_lease():
                log.warning("batch %d: lease lost, another runner goes on", self._batch.id)
                return
            await self._one(row)
            if self._notices is not None:
                await self._notices.progress(self._batch, self._progress)

    async def _progress(self) -> Progress:
        return await self._store.progress(self._batch.id)

    async def _keep_lease(self) -> bool:
        lease = self._running._lease
        if utcnow() - self._lease_renewed < lease / 3:
            return True
        self._lease_renewed = utcnow()
        return await self._store.take_run(self._batch.id, self._runner, utcnow() + lease)

    async def _one(self, row: RowSnapshot) -> None:
        before = self._balances.get(row.subaccount_token)
        refusal = self._refusal(row, before)
        if refusal is not None:
            await self._store.move_row(
                self._batch, row, RowStatus.WAITING, RowStatus.FAILED,
                "batch_row_failed_before_call", values={"outcome_note": refusal}, note=refusal,
            )  # fmt: skip
            return
        won = await self._store.move_row(
            self._batch, row, RowStatus.WAITING, RowStatus.EXECUTING, "batch_row_sent",
            values={"executing_since": utcnow(), "subaccount_balance_before": before},
        )  # fmt: skip
        if not won:
            return
        if self._running._before_call is not None:
            await self._running._before_call(row)
        # From here the row's vendor call is ours alone, and is made once.
        move = self._client.add_credit if row.add else self._client.remove_credit
        try:
            result = await move(row.subaccount_token, row.amount)
        except PartnerOutcomeUnknown as unknown:
            note = describe(unknown)
            await self._store.move_row(
                self._batch, row, RowStatus.EXECUTING, RowStatus.UNKNOWN, "batch_row_unknown",
                values={"outcome_note": note}, note=note,
            )  # fmt: skip
            await self._read()
            fresh = await self._store.rows(self._batch.id, status=RowStatus.UNKNOWN)
            for again in fresh:
                if again.id == row.id:
                    await self._reconcile(again)
            return
        except (PartnerError, PartnerUnavailable) as failure:
            note = describe(failure)
            await self._store.move_row(
                self._batch, row, RowStatus.EXECUTING, RowStatus.FAILED, "batch_row_failed",
                values={"outcome_note": note}, note=note,
            )  # fmt: skip
            return
        self._main = result.main_balance
        self._balances[row.subaccount_token] = result.subaccount_balance
        await self._store.move_row(
            self._batch, row, RowStatus.EXECUTING, RowStatus.SUCCEEDED, "batch_row_succeeded",
            values={
                "main_balance_after": result.main_balance,
                "subaccount_balance_after": result.subaccount_balance,
            },
        )  # fmt: skip

    def _refusal(self, row: RowSnapshot, balance: Decimal | None) -> str | None:
        if balance is None:
            return "the subaccount is no longer listed"
        if row.add and row.amount > self._main:
            return (
                f"the main account holds {format_money(self._main)}, less than "
                f"{format_money(row.amount)}: the batch's balance ran out"
            )
        if not row.add and row.amount > balance:
            held, wanted = format_money(balance), format_money(row.amount)
            return f"the subaccount holds {held}, less than {wanted}"
        return None

    async def _reconcile(self, row: RowSnapshot) -> None:
        """From the balances just read: did the row's move happen? Undecided stays unknown."""
        now = self._balances.get(row.subaccount_token)
        before = row.subaccount_balance_before
        if now is None or before is None:
            return
        expected = row.amount if row.add else -row.amount
        moved = now - before
        if moved == expected:
            to, event = RowStatus.SUCCEEDED, "batch_row_reconciled_succeeded"
            note = f"confirmed from the balances: {format_money(before)} → {format_money(now)}"
        elif moved == 0:
            to, event = RowStatus.FAILED, "batch_row_reconciled_failed"
            note = f"confirmed from the balances: still {format_money(now)}, nothing moved"
        else:
            return
        await self._store.move_row(
            self._batch, row, RowStatus.UNKNOWN, to, event,
            values={"outcome_note": note, "subaccount_balance_after": now}, note=note,
        )  # fmt: skip

    async def close(self) -> BatchSnapshot:
        """Done once no row waits or is being sent; then the results, at least once
        (bot/services/batches/delivery.py)."""
        left = await self._store.rows(self._batch.id, status=RowStatus.WAITING)
        if left:
            return await self._store.get(self._batch.id)
        closed = await self._store.move(
            self._batch.id, [BatchStatus.RUNNING], BatchStatus.DONE, "batch_finished",
            audit.SYSTEM, values={"finished_at": utcnow(), "runner_until": None},
        )  # fmt: skip
        if closed and self._notices is not None:
            # Without notices (no Slack here) maintenance sends them: they are owed.
            await self._running.results.deliver(self._batch.id, self._notices)
        return await self._store.get(self._batch.id)
