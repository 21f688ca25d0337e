"""Low-balance alerts: thresholds, and firing once per downward crossing.

Each subject (a product's main account, or one subaccount) has a level: ok, warn or critical.
An alert fires when a reading puts the subject at a worse level than the one stored; when
the balance rises above its threshold again the level goes back to ok, silently, which
re-arms the alert. A snooze silences a subject's alerts (not its level tracking) for a while.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_CEILING, Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import utcnow
from bot.db.models import AlertSettings, AlertState, AlertThreshold
from bot.db.session import Database
from bot.partner.models import Product, Subaccount
from bot.services import audit

MAIN = ""
"""The alert subject of a product's main account (subaccounts are named by token)."""


class Level(StrEnum):
    OK = "ok"
    WARN = "warn"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return {"ok": 0, "warn": 1, "critical": 2}[self.value]


class Scope(StrEnum):
    MAIN = "main"
    SUBACCOUNTS = "subaccounts"
    SUBACCOUNT = "subaccount"


@dataclass(frozen=True, slots=True)
class Threshold:
    product: Product
    scope: Scope
    subject: str
    label: str | None
    warn: Decimal
    critical: Decimal | None


@dataclass(frozen=True, slots=True)
class AlertConfig:
    channel_id: str | None
    thresholds: tuple[Threshold, ...]

    def default_for(self, product: Product) -> Decimal | None:
        return next(
            (
                t.warn
                for t in self.thresholds
                if t.product is product and t.scope is Scope.SUBACCOUNTS
            ),
            None,
        )

    def per_subaccount(self, product: Product) -> dict[str, Decimal]:
        return {
            t.subject: t.warn
            for t in self.thresholds
            if t.product is product and t.scope is Scope.SUBACCOUNT
        }

    def main(self, product: Product) -> Threshold | None:
        return next(
            (t for t in self.thresholds if t.product is product and t.scope is Scope.MAIN), None
        )

    def main_level(self, product: Product, balance: Decimal) -> tuple[Level, Decimal] | None:
        """Where a main balance stands against its thresholds, and the threshold that says so
        (the critical one once below it); None without a main threshold."""
        main = self.main(product)
        if main is None:
            return None
        level = _level(balance, main.warn, main.critical)
        threshold = main.critical if level is Level.CRITICAL and main.critical else main.warn
        return level, threshold

    def below_now(
        self,
        product: Product,
        scope: Scope,
        main_balance: Decimal | None,
        subaccounts: Sequence[Subaccount],
        subject: str = MAIN,
    ) -> list[tuple[str, Decimal]]:
        """What one threshold (`scope`, and `subject` for one subaccount) finds below it in a
        reading, as (label, balance), lowest first: said at once when the threshold is set,
        rather than left for the next hourly round. A subaccount with its own threshold is
        not counted under the default one."""
        if scope is Scope.MAIN:
            if main_balance is None:
                return []
            standing = self.main_level(product, main_balance)
            return [("", main_balance)] if standing and standing[0] is not Level.OK else []
        specific = self.per_subaccount(product)
        default = self.default_for(product)
        below = [
            (sub.email or sub.token, sub.balance)
            for sub in subaccounts
            if (
                scope is Scope.SUBACCOUNT
                and sub.token == subject
                and sub.token in specific
                and sub.balance < specific[sub.token]
            )
            or (
                scope is Scope.SUBACCOUNTS
                and sub.token not in specific
                and default is not None
                and sub.balance < default
            )
        ]
        return sorted(below, key=lambda item: item[1])


@dataclass(frozen=True, slots=True)
class ThresholdCrossed:
    """A subject that just crossed a threshold downwards."""

    team_id: str
    product: Product
    subject: str
    label: str
    level: Level
    balance: Decimal
    threshold: Decimal

    @property
    def is_main(self) -> bool:
        return self.subject == MAIN

    @property
    def top_up(self) -> Decimal:
        """What brings the balance back to its threshold, in whole euros (at least 1)."""
        return top_up_to_threshold(self.balance, self.threshold)


def top_up_to_threshold(balance: Decimal, threshold: Decimal) -> Decimal:
    """The smallest whole-euro amount that lifts `balance` to `threshold` or above (at least 1:
    a request for nothing is no request). Whole euros, because that is what people ask for."""
    missing = threshold - balance
    return max(Decimal(1), missing.to_integral_value(rounding=ROUND_CEILING))


class Alerts:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def config(self, team_id: str, *, session: AsyncSession | None = None) -> AlertConfig:
        """`session`: read in the caller's (`Database.joined`)."""
        async with self._database.joined(session) as session:
            settings = await session.get(AlertSettings, team_id)
            rows = (
                await session.scalars(
                    select(AlertThreshold)
                    .where(AlertThreshold.team_id == team_id)
                    .order_by(AlertThreshold.product, AlertThreshold.scope, AlertThreshold.label)
                )
            ).all()
        return AlertConfig(
            channel_id=settings.channel_id if settings else None,
            thresholds=tuple(
                Threshold(
                    Product(r.product), Scope(r.scope), r.subject, r.label, r.warn, r.critical
                )
                for r in rows
            ),
        )

    async def set_channel(self, team_id: str, channel_id: str, actor_id: str) -> None:
        async with self._database.session() as session:
            row = await session.get(AlertSettings, team_id)
            if row is None:
                session.add(
                    AlertSettings(
                        team_id=team_id, channel_id=channel_id, set_by=actor_id, set_at=utcnow()
                    )
                )
            else:
                row.channel_id, row.set_by, row.set_at = channel_id, actor_id, utcnow()
            await audit.record(session, team_id, "alert_channel_set", actor_id, channel=channel_id)

    async def set_threshold(
        self,
        team_id: str,
        product: Product,
        scope: Scope,
        warn: Decimal,
        actor_id: str,
        *,
        critical: Decimal | None = None,
        subaccount: Subaccount | None = None,
    ) -> None:
        if critical is not None and critical > warn:
            raise ValueError("the critical threshold must not be above the warning one")
        subject = subaccount.token if subaccount else MAIN
        async with self._database.session() as session:
            row = await session.scalar(
                select(AlertThreshold).where(
                    AlertThreshold.team_id == team_id,
                    AlertThreshold.product == product.value,
                    AlertThreshold.scope == scope.value,
                    AlertThreshold.subject == subject,
                )
            )
            if row is None:
                row = AlertThreshold(
                    team_id=team_id, product=product.value, scope=scope.value, subject=subject
                )
                session.add(row)
            row.label = subaccount.email if subaccount else None
            row.warn, row.critical = warn, critical
            row.set_by, row.set_at = actor_id, utcnow()
            await audit.record(
                session,
                team_id,
                "alert_threshold_set",
                actor_id,
                product=product.value,
                scope=scope.value,
                subaccount=row.label,
                warn=warn,
                critical=critical,
            )

    async def snooze(
        self,
        team_id: str,
        product: Product,
        subject: str,
        actor_id: str,
        hours: int = 24,
    ) -> datetime:
        until = utcnow() + timedelta(hours=hours)
        async with self._database.session() as session:
            state = await self._state(session, team_id, product, subject)
            state.snoozed_until = until
            await audit.record(
                session,
                team_id,
                "alert_snoozed",
                actor_id,
                product=product.value,
                subject=subject or "main",
                hours=hours,
            )
        return until

    async def evaluate(
        self,
        team_id: str,
        product: Product,
        main_balance: Decimal | None,
        subaccounts: Sequence[Subaccount],
        config: AlertConfig,
    ) -> list[ThresholdCrossed]:
        """Compare a reading with the thresholds and the stored levels; return what fires."""
        observed: list[tuple[str, str, Level, Decimal, Decimal]] = []
        standing = config.main_level(product, main_balance) if main_balance is not None else None
        if standing is not None and main_balance is not None:
            level, threshold = standing
            observed.append((MAIN, "", level, main_balance, threshold))
        default = config.default_for(product)
        specific = config.per_subaccount(product)
        for sub in subaccounts:
            limit = specific.get(sub.token, default)
            if limit is not None:
                observed.append(
                    (
                        sub.token,
                        sub.email or sub.token,
                        _level(sub.balance, limit, None),
                        sub.balance,
                        limit,
                    )
                )
        fired: list[ThresholdCrossed] = []
        changed: list[dict[str, object]] = []
        now = utcnow()
        # One read of every stored level, the comparison in memory, then one bulk write: the
        # write transaction (SQLite's only writer) lasts two statements, whatever the count.
        async with self._database.session() as session:
            stored = {
                row.subject: (Level(row.level), row.snoozed_until)
                for row in await session.execute(
                    select(AlertState.subject, AlertState.level, AlertState.snoozed_until).where(
                        AlertState.team_id == team_id, AlertState.product == product.value
                    )
                )
            }
            for subject, label, level, balance, threshold in observed:
                before, snoozed_until = stored.get(subject, (Level.OK, None))
                if level is before:
                    continue
                changed.append(
                    {
                        "team_id": team_id,
                        "product": product.value,
                        "subject": subject,
                        "level": level.value,
                        "changed_at": now,
                    }
                )
                snoozed = snoozed_until is not None and snoozed_until > now
                if level.rank > before.rank and not snoozed:
                    fired.append(
                        ThresholdCrossed(
                            team_id, product, subject, label, level, balance, threshold
                        )
                    )
            if changed:
                await session.execute(self._upsert_levels(), changed)
            if fired:
                await audit.record_many(
                    session,
                    team_id,
                    "alert_fired",
                    audit.SYSTEM,
                    [
                        {
                            "subject": crossed.label or "main",
                            "level": crossed.level.value,
                            "balance": crossed.balance,
                            "threshold": crossed.threshold,
                        }
                        for crossed in fired
                    ],
                    product=product.value,
                )
        return fired

    def _upsert_levels(self) -> Any:
        insert = sqlite_insert if self._database.is_sqlite else pg_insert
        statement = insert(AlertState)
        return statement.on_conflict_do_update(
            index_elements=[AlertState.team_id, AlertState.product, AlertState.subject],
            set_={
                "level": statement.excluded.level,
                "changed_at": statement.excluded.changed_at,
            },
        )

    @staticmethod
    async def _state(
        session: AsyncSession, team_id: str, product: Product, subject: str
    ) -> AlertState:
        """A subject's stored level; a subject never seen before starts at ok."""
        state = await session.scalar(
            select(AlertState).where(
                AlertState.team_id == team_id,
                AlertState.product == product.value,
                AlertState.subject == subject,
            )
        )
        if state is None:
            state = AlertState(
                team_id=team_id,
                product=product.value,
                subject=subject,
                level=Level.OK.value,
                changed_at=utcnow(),
            )
            session.add(state)
        return state

    async def forget_workspace(self, team_id: str) -> None:
        async with self._database.session() as session:
            for model in (AlertState, AlertThreshold, AlertSettings):
                await session.execute(delete(model).where(model.team_id == team_id))


def _level(balance: Decimal, warn: Decimal, critical: Decimal | None) -> Level:
    if critical is not None and balance < critical:
        return Level.CRITICAL
    if balance < warn:
        return Level.WARN
    return Level.OK
