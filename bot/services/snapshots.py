"""Balance history: a reading of a product's balances now, recorded, and read back for trends."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import utcnow
from bot.db.grouped_inserts import GroupedInserts
from bot.db.models import BalanceSnapshot, JobRun
from bot.db.session import Database
from bot.partner.client import PartnerClient, SubaccountClient
from bot.partner.errors import PartnerFailure
from bot.partner.models import Account, Product, Subaccount
from bot.services.partner_access import PartnerAccess
from bot.services.trends import Snapshot, thin

LEGACY_BATCH = 20
"""Snapshots without a stored total decoded at a time: 20 maps of 5,000 subaccounts are a few
MB; a week of them (168) at once was 200 MB more (`bench digest`)."""


@dataclass(frozen=True, slots=True)
class Reading:
    """What the vendor said just now (or why it could not be read)."""

    product: Product
    taken_at: datetime
    account: Account | None
    subaccounts: tuple[Subaccount, ...]
    failure: PartnerFailure | None

    @property
    def snapshot(self) -> Snapshot:
        return Snapshot(
            taken_at=self.taken_at,
            main_balance=self.account.balance if self.account else None,
            subaccounts={s.token: s.balance for s in self.subaccounts},
        )

    @property
    def totals(self) -> Snapshot:
        """This reading as `Snapshots.history` gives each of its rows (totals only)."""
        return Snapshot(
            taken_at=self.taken_at,
            main_balance=self.account.balance if self.account else None,
            subaccounts={},
            subaccount_total=self.subaccount_total,
        )

    @property
    def subaccount_total(self) -> Decimal | None:
        if self.account is None:
            return None
        return sum((s.balance for s in self.subaccounts), Decimal(0))


class Snapshots:
    def __init__(self, database: Database, partner: PartnerAccess) -> None:
        self._database = database
        self._partner = partner
        # A round of digests records its readings within a few ms of each other.
        self._recorded = GroupedInserts(database, BalanceSnapshot)

    async def read(
        self, team_id: str, product: Product, source: str, *, client: PartnerClient | None = None
    ) -> Reading:
        """Read the balances from the vendor and record them (failures recorded too).
        `client`: the workspace's client for `product`, when the caller has it already."""
        now = utcnow()
        if client is None:
            client = await self._partner.client(team_id, product)
        try:
            # History and alerts are built on these: always what the vendor says now.
            if isinstance(client, SubaccountClient):
                account, subaccounts = await asyncio.gather(
                    client.me(fresh=True), client.all_subaccounts(fresh=True)
                )
            else:
                account, subaccounts = await client.me(fresh=True), []
            reading = Reading(product, now, account, tuple(subaccounts), None)
        except PartnerFailure as failure:
            reading = Reading(product, now, None, (), failure)
        await self._recorded.insert(
            {
                "team_id": team_id,
                "product": product.value,
                "taken_at": now,
                "source": source,
                "main_balance": reading.account.balance if reading.account else None,
                "subaccounts": {s.token: f"{s.balance:f}" for s in reading.subaccounts},
                "subaccount_total": reading.subaccount_total,
                "error": reading.failure.detail if reading.failure else None,
            }
        )
        return reading

    async def history(
        self,
        team_id: str,
        product: Product,
        since: datetime,
        *,
        session: AsyncSession | None = None,
    ) -> list[Snapshot]:
        """Readings since `since`, oldest first, as totals only (`subaccounts` left empty):
        a week of hourly readings of thousands of subaccounts is never decoded as a whole.
        Use `at_or_before` for the one reading whose subaccounts are compared. `session`:
        read in the caller's (`Database.joined`)."""
        readable = (
            BalanceSnapshot.team_id == team_id,
            BalanceSnapshot.product == product.value,
            BalanceSnapshot.taken_at >= since,
            BalanceSnapshot.error.is_(None),
        )
        async with self._database.joined(session) as session:
            rows = (
                await session.execute(
                    select(
                        BalanceSnapshot.id,
                        BalanceSnapshot.taken_at,
                        BalanceSnapshot.main_balance,
                        BalanceSnapshot.subaccount_total,
                    )
                    .where(*readable)
                    .order_by(BalanceSnapshot.taken_at)
                )
            ).all()
            # Rows written before totals were kept are summed from their JSON.
            missing = [row.id for row in rows if row.subaccount_total is None]
            summed: dict[int, Decimal] = {}
            for start in range(0, len(missing), LEGACY_BATCH):
                legacy = await session.execute(
                    select(BalanceSnapshot.id, BalanceSnapshot.subaccounts).where(
                        BalanceSnapshot.id.in_(missing[start : start + LEGACY_BATCH])
                    )
                )
                for snapshot_id, balances in legacy:
                    summed[snapshot_id] = sum((Decimal(v) for v in balances.values()), Decimal(0))
        return [
            Snapshot(
                taken_at=row.taken_at,
                main_balance=row.main_balance,
                subaccounts={},
                subaccount_total=row.subaccount_total
                if row.subaccount_total is not None
                else summed.get(row.id, Decimal(0)),
            )
            for row in rows
        ]

    async def at_or_before(
        self,
        team_id: str,
        product: Product,
        moment: datetime,
        since: datetime,
        *,
        session: AsyncSession | None = None,
    ) -> Snapshot | None:
        """The latest readable reading taken in [since, moment], with every subaccount.
        `session`: read in the caller's (`Database.joined`)."""
        async with self._database.joined(session) as session:
            row = await session.scalar(
                select(BalanceSnapshot)
                .where(
                    BalanceSnapshot.team_id == team_id,
                    BalanceSnapshot.product == product.value,
                    BalanceSnapshot.taken_at >= since,
                    BalanceSnapshot.taken_at <= moment,
                    BalanceSnapshot.error.is_(None),
                )
                .order_by(BalanceSnapshot.taken_at.desc(), BalanceSnapshot.id.desc())
                .limit(1)
            )
            if row is None:
                return None
            subaccounts = {token: Decimal(v) for token, v in row.subaccounts.items()}
            return Snapshot(
                taken_at=row.taken_at,
                main_balance=row.main_balance,
                subaccounts=subaccounts,
                subaccount_total=sum(subaccounts.values(), Decimal(0)),
            )

    async def thin(self, team_id: str, product: Product) -> int:
        """Hourly for a week, daily after that: the table does not grow without bound."""
        async with self._database.session() as session:
            rows = (
                await session.execute(
                    select(BalanceSnapshot.id, BalanceSnapshot.taken_at).where(
                        BalanceSnapshot.team_id == team_id,
                        BalanceSnapshot.product == product.value,
                    )
                )
            ).all()
            doomed = thin([(row.id, row.taken_at) for row in rows], now=utcnow())
            if doomed:
                await session.execute(delete(BalanceSnapshot).where(BalanceSnapshot.id.in_(doomed)))
        return len(doomed)

    async def claim(self, job: str, team_id: str, period: str) -> bool:
        """True for the one worker that gets to run `job` for this team and period."""
        insert = sqlite_insert if self._database.is_sqlite else pg_insert
        async with self._database.session() as session:
            result = await session.execute(
                insert(JobRun)
                .values(job=job, team_id=team_id, period=period, ran_at=utcnow())
                .on_conflict_do_nothing()
            )
        return (result.rowcount or 0) == 1

    async def release(self, job: str, team_id: str, period: str) -> None:
        """Give a claim back (the job failed): the next worker may run it."""
        async with self._database.session() as session:
            await session.execute(
                delete(JobRun).where(
                    JobRun.job == job, JobRun.team_id == team_id, JobRun.period == period
                )
            )

    async def forget_old_claims(self, older_than: timedelta = timedelta(days=3)) -> None:
        async with self._database.session() as session:
            await session.execute(delete(JobRun).where(JobRun.ran_at < utcnow() - older_than))
