"""Balance history: a reading of a product's balances now, recorded, and read back for trends."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.clock import utcnow
from bot.db.models import BalanceSnapshot, JobRun
from bot.db.session import Database
from bot.partner.client import SubaccountClient
from bot.partner.errors import PartnerFailure
from bot.partner.models import Account, Product, Subaccount
from bot.services.partner_access import PartnerAccess
from bot.services.trends import Snapshot, thin


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


class Snapshots:
    def __init__(self, database: Database, partner: PartnerAccess) -> None:
        self._database = database
        self._partner = partner

    async def read(self, team_id: str, product: Product, source: str) -> Reading:
        """Read the balances from the vendor and record them (failures recorded too)."""
        now = utcnow()
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
        async with self._database.session() as session:
            session.add(
                BalanceSnapshot(
                    team_id=team_id,
                    product=product.value,
                    taken_at=now,
                    source=source,
                    main_balance=reading.account.balance if reading.account else None,
                    subaccounts={s.token: f"{s.balance:f}" for s in reading.subaccounts},
                    error=reading.failure.detail if reading.failure else None,
                )
            )
        return reading

    async def history(self, team_id: str, product: Product, since: datetime) -> list[Snapshot]:
        async with self._database.session() as session:
            rows = await session.scalars(
                select(BalanceSnapshot)
                .where(
                    BalanceSnapshot.team_id == team_id,
                    BalanceSnapshot.product == product.value,
                    BalanceSnapshot.taken_at >= since,
                    BalanceSnapshot.error.is_(None),
                )
                .order_by(BalanceSnapshot.taken_at)
            )
            return [
                Snapshot(
                    taken_at=row.taken_at,
                    main_balance=row.main_balance,
                    subaccounts={token: Decimal(v) for token, v in row.subaccounts.items()},
                )
                for row in rows.all()
            ]

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

    async def forget_old_claims(self, older_than: timedelta = timedelta(days=3)) -> None:
        async with self._database.session() as session:
            await session.execute(delete(JobRun).where(JobRun.ran_at < utcnow() - older_than))
