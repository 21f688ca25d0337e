"""The live spend ledger: each reading of a product's subaccounts is recorded with the credit
the app moved in since the previous one, fed to the workspace's detector (its state restored
from and saved to the database), and the alerts it opens come back as incidents.

Only this job writes detector state. A person's verdict on an alert is stored by
`Incidents.give_feedback` and handed to the detector here, before the next reading.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import delete, func, select, update

from bot.clock import utcnow
from bot.db.anomaly_models import (
    AnomalyIncident,
    AnomalySettings,
    AnomalyTrack,
    LedgerHour,
    LedgerReading,
)
from bot.db.session import Database
from bot.partner.client import SubaccountClient
from bot.partner.errors import PartnerFailure
from bot.partner.models import Product, Subaccount
from bot.services.anomalies.detector import AnomalyDetector
from bot.services.anomalies.facts import AlertFacts, Point, alert_facts
from bot.services.anomalies.model import DEFAULT_FLOOR_PER_HOUR, Alert, Feedback, Reading
from bot.services.partner_access import PartnerAccess
from bot.services.requests.store import RequestStore

RAW_KEPT = timedelta(hours=48)
HOURS_KEPT = timedelta(days=36)
BATCH = 500
"""Subaccounts whose detector state is in memory at once: 500 × ~10 KB, whatever the size of
the workspace."""


@dataclass(frozen=True, slots=True)
class SubaccountReading:
    """What the vendor said of a product's subaccounts just now, or why it could not say."""

    product: Product
    taken_at: datetime  # naive UTC
    subaccounts: tuple[Subaccount, ...]
    failure: PartnerFailure | None = None


@dataclass(frozen=True, slots=True)
class Opened:
    """An alert the reading opened, with what its card shows."""

    ref: str
    team_id: str
    product: Product
    subaccount: str  # the token
    email: str
    alert: Alert
    balance: Decimal
    usual: Decimal | None  # EUR an hour at this time of week; None in the cold start
    floor: Decimal
    facts: AlertFacts


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC)


def _hour_of(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


class Ledger:
    def __init__(self, database: Database, partner: PartnerAccess, tz: str = "Europe/Paris"):
        self._database = database
        self._partner = partner
        self._store = RequestStore(database)
        self._tz = tz

    async def read(self, team_id: str, product: Product) -> SubaccountReading:
        """Every subaccount's balance now (1 + N/20 calls, within the key's slots): fresh, as
        spend is measured between readings, and stored for the display reads to share. The
        scheduler does not call this when the hourly snapshot has just read the same."""
        now = utcnow()
        client = await self._partner.client(team_id, product)
        if not isinstance(client, SubaccountClient):
            return SubaccountReading(product, now, ())
        try:
            return SubaccountReading(product, now, tuple(await client.all_subaccounts(fresh=True)))
        except PartnerFailure as failure:
            return SubaccountReading(product, now, (), failure)

    async def floor(self, team_id: str) -> Decimal:
        async with self._database.session() as session:
            row = await session.get(AnomalySettings, team_id)
        return row.floor if row is not None else DEFAULT_FLOOR_PER_HOUR

    async def set_floor(self, team_id: str, floor: Decimal, actor_id: str) -> None:
        if not floor > 0:
            raise ValueError("the floor is a positive amount")
        async with self._database.session() as session:
            row = await session.get(AnomalySettings, team_id)
            if row is None:
                session.add(AnomalySettings(team_id=team_id, floor=floor, set_by=actor_id))
            else:
                row.floor, row.set_by, row.set_at = floor, actor_id, utcnow()

    # -- a reading ----------------------------------------------------------------------

    async def record(self, team_id: str, reading: SubaccountReading) -> list[Opened]:
        """Record a successful reading; the alerts it opens, with their cards' figures."""
        taken_at, product = reading.taken_at, reading.product
        async with self._database.session() as session:
            previous = await session.scalar(
                select(func.max(LedgerReading.taken_at)).where(
                    LedgerReading.team_id == team_id, LedgerReading.product == product.value
                )
            )
        if previous is not None and previous >= taken_at:
            return []  # a slower worker's older reading: the ledger has moved on
        moved = (
            await self._store.credit_moved(team_id, product, previous, taken_at)
            if previous is not None
            else {}
        )
        floor = await self.floor(team_id)
        detector = AnomalyDetector(self._tz, floor_per_hour=floor)
        found: list[tuple[Alert, str, str, Decimal, Decimal | None]] = []
        subaccounts = sorted(reading.subaccounts, key=lambda s: s.token)
        for start in range(0, len(subaccounts), BATCH):
            batch = subaccounts[start : start + BATCH]
            found += await self._observe(team_id, product, taken_at, batch, moved, detector)
            detector.tracks.clear()
            await asyncio.sleep(0)  # let the process's requests in between batches
        balances = {
            s.token: [f"{s.balance:f}", f"{moved.get(s.token, Decimal(0)):f}"] for s in subaccounts
        }
        await self._keep(team_id, product, taken_at, balances)
        if not found:
            return []
        points = await self._points(team_id, product, taken_at, {f[0].subaccount for f in found})
        return [
            Opened(
                ref=ref,
                team_id=team_id,
                product=product,
                subaccount=alert.subaccount,
                email=email,
                alert=alert,
                balance=balance,
                usual=usual,
                floor=floor,
                facts=alert_facts(
                    points.get(alert.subaccount, []),
                    _aware(taken_at),
                    usual if usual is not None else floor,
                    alert.time - timedelta(hours=float(alert.hours)),
                ),
            )
            for alert, ref, email, balance, usual in found
        ]

    async def _observe(
        self,
        team_id: str,
        product: Product,
        taken_at: datetime,
        batch: Sequence[Subaccount],
        moved: dict[str, Decimal],
        detector: AnomalyDetector,
    ) -> list[tuple[Alert, str, str, Decimal, Decimal | None]]:
        tokens = [s.token for s in batch]
        mine = (
            AnomalyTrack.team_id == team_id,
            AnomalyTrack.product == product.value,
            AnomalyTrack.subaccount.in_(tokens),
        )
        incidents_of = (
            AnomalyIncident.team_id == team_id,
            AnomalyIncident.product == product.value,
            AnomalyIncident.subaccount.in_(tokens),
        )
        found = []
        at = _aware(taken_at)
        async with self._database.session() as session:
            loaded = await session.scalars(select(AnomalyTrack).where(*mine))
            rows = {row.subaccount: row for row in loaded}
            for token, row in rows.items():
                detector.load(token, row.state)
            verdicts = await session.scalars(
                select(AnomalyIncident)
                .where(
                    *incidents_of,
                    AnomalyIncident.feedback.is_not(None),
                    AnomalyIncident.feedback_applied.is_(False),
                )
                .order_by(AnomalyIncident.feedback_at)
            )
            for incident in verdicts:
                if incident.subaccount in detector.tracks and incident.feedback_at is not None:
                    detector.feedback(
                        incident.subaccount,
                        Feedback(incident.feedback),
                        _aware(incident.feedback_at),
                    )
                incident.feedback_applied = True
            for sub in batch:
                try:
                    alerts = detector.observe(
                        Reading(sub.token, at, sub.balance, moved.get(sub.token, Decimal(0)))
                    )
                except ValueError:
                    continue  # already read later than this (a slower worker's reading)
                for alert in alerts:
                    ref = secrets.token_hex(8)
                    session.add(
                        AnomalyIncident(
                            ref=ref,
                            team_id=team_id,
                            product=product.value,
                            subaccount=sub.token,
                            email=sub.email,
                            opened_at=taken_at,
                            window=alert.window,
                            spent=alert.spent,
                            expected=alert.expected,
                            feedback_applied=False,
                        )
                    )
                    usual = detector.usual(sub.token, at)
                    found.append((alert, ref, sub.email, sub.balance, usual))
                state = detector.dump(sub.token)
                row = rows.get(sub.token)
                if row is None:
                    session.add(
                        AnomalyTrack(
                            team_id=team_id,
                            product=product.value,
                            subaccount=sub.token,
                            email=sub.email,
                            state=state,
                            read_at=taken_at,
                        )
                    )
                else:
                    row.state, row.email, row.read_at = state, sub.email, taken_at
            calm = [t for t in tokens if not detector.tracks[t].alert_open]
            if calm:
                await session.execute(
                    update(AnomalyIncident)
                    .where(
                        *incidents_of[:2],
                        AnomalyIncident.subaccount.in_(calm),
                        AnomalyIncident.closed_at.is_(None),
                    )
                    .values(closed_at=taken_at)
                )
        return found

    async def _keep(
        self, team_id: str, product: Product, taken_at: datetime, balances: dict[str, list[str]]
    ) -> None:
        """The raw reading (48 h), its hour's aggregate (36 days), and the old ones dropped."""
        hour = _hour_of(taken_at)
        async with self._database.session() as session:
            session.add(
                LedgerReading(
                    team_id=team_id, product=product.value, taken_at=taken_at, balances=balances
                )
            )
            row = await session.get(LedgerHour, (team_id, product.value, hour))
            if row is None:
                session.add(
                    LedgerHour(
                        team_id=team_id,
                        product=product.value,
                        hour=hour,
                        last_at=taken_at,
                        balances=balances,
                    )
                )
            else:
                merged = dict(row.balances)
                for token, (balance, moved) in balances.items():
                    before = Decimal(merged[token][1]) if token in merged else Decimal(0)
                    merged[token] = [balance, f"{before + Decimal(moved):f}"]
                row.balances, row.last_at = merged, taken_at
            await session.execute(
                delete(LedgerReading).where(
                    LedgerReading.team_id == team_id,
                    LedgerReading.product == product.value,
                    LedgerReading.taken_at < taken_at - RAW_KEPT,
                )
            )
            await session.execute(
                delete(LedgerHour).where(
                    LedgerHour.team_id == team_id,
                    LedgerHour.product == product.value,
                    LedgerHour.hour < hour - HOURS_KEPT,
                )
            )

    async def _points(
        self, team_id: str, product: Product, taken_at: datetime, tokens: set[str]
    ) -> dict[str, list[Point]]:
        """The last 24 h of readings of a few subaccounts (those just alerted)."""
        points: dict[str, list[Point]] = {token: [] for token in tokens}
        async with self._database.session() as session:
            rows = await session.execute(
                select(LedgerReading.taken_at, LedgerReading.balances)
                .where(
                    LedgerReading.team_id == team_id,
                    LedgerReading.product == product.value,
                    LedgerReading.taken_at >= taken_at - timedelta(hours=25),
                    LedgerReading.taken_at <= taken_at,
                )
                .order_by(LedgerReading.taken_at)
            )
            for when, balances in rows:
                for token in tokens:
                    if token in balances:
                        balance, moved = balances[token]
                        points[token].append(Point(_aware(when), Decimal(balance), Decimal(moved)))
        return points
