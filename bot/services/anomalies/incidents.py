"""A person's verdict on an anomaly alert, and the ledger as a replay CSV.

A verdict is stored here and nowhere else: the ledger job hands it to the detector before its
next reading (bot.services.anomalies.ledger), so a click never races a reading.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select, update

from bot.clock import utcnow
from bot.db.anomaly_models import AnomalyIncident, AnomalyTrack, LedgerHour, LedgerReading
from bot.db.session import Database
from bot.partner.models import Product
from bot.services.anomalies.model import Feedback
from bot.services.anomalies.replay import HEADER

EXPORT_DAYS = 7
MAX_EXPORT_DAYS = 35


@dataclass(frozen=True, slots=True)
class Verdict:
    """The incident's verdict: `given_now` False when someone had already given one."""

    product: Product
    email: str
    feedback: Feedback
    by: str
    at: datetime  # naive UTC
    given_now: bool


@dataclass(frozen=True, slots=True)
class Export:
    csv: str
    readings: int
    subaccounts: int


class Incidents:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def give_feedback(
        self, team_id: str, ref: str, feedback: Feedback, user_id: str
    ) -> Verdict | None:
        """Record the first verdict on the incident `ref`; None when the workspace has no
        such incident."""
        now = utcnow()
        async with self._database.session() as session:
            claimed = await session.execute(
                update(AnomalyIncident)
                .where(
                    AnomalyIncident.team_id == team_id,
                    AnomalyIncident.ref == ref,
                    AnomalyIncident.feedback.is_(None),
                )
                .values(feedback=feedback.value, feedback_by=user_id, feedback_at=now)
            )
            row = await session.scalar(
                select(AnomalyIncident).where(
                    AnomalyIncident.team_id == team_id, AnomalyIncident.ref == ref
                )
            )
            if row is None or row.feedback is None or row.feedback_at is None:
                return None
            return Verdict(
                product=Product(row.product),
                email=row.email,
                feedback=Feedback(row.feedback),
                by=row.feedback_by or user_id,
                at=row.feedback_at,
                given_now=(claimed.rowcount or 0) == 1,  # type: ignore[attr-defined]
            )

    async def export(self, team_id: str, product: Product, days: int) -> Export:
        """The last `days` of readings as the replay reads them (`time,subaccount,balance,
        moved`): every reading of the last 48 h, one a subaccount an hour before that (the
        hour's last balance, the credit moved over the hour). Subaccounts by email."""
        since = utcnow() - timedelta(days=days)
        where = (LedgerReading.team_id == team_id, LedgerReading.product == product.value)
        async with self._database.session() as session:
            names = dict(
                (
                    await session.execute(
                        select(AnomalyTrack.subaccount, AnomalyTrack.email).where(
                            AnomalyTrack.team_id == team_id,
                            AnomalyTrack.product == product.value,
                        )
                    )
                ).all()
            )
            raw = (
                await session.execute(
                    select(LedgerReading.taken_at, LedgerReading.balances)
                    .where(*where, LedgerReading.taken_at >= since)
                    .order_by(LedgerReading.taken_at)
                )
            ).all()
            first_raw = raw[0][0] if raw else utcnow()
            hours = (
                await session.execute(
                    select(LedgerHour.last_at, LedgerHour.balances)
                    .where(
                        LedgerHour.team_id == team_id,
                        LedgerHour.product == product.value,
                        LedgerHour.last_at >= since,
                        LedgerHour.hour < first_raw.replace(minute=0, second=0, microsecond=0),
                    )
                    .order_by(LedgerHour.hour)
                )
            ).all()
        out = io.StringIO()
        out.write(",".join(HEADER) + "\n")
        seen: set[str] = set()
        count = 0
        for when, balances in [*hours, *raw]:
            stamp = when.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z")
            for token, (balance, moved) in sorted(balances.items()):
                name = names.get(token, token)
                if "," in name:  # the CSV has no quoting: an odd address is shown by token
                    name = token
                seen.add(name)
                out.write(f"{stamp},{name},{Decimal(balance):f},{Decimal(moved):f}\n")
                count += 1
        return Export(out.getvalue(), count, len(seen))
