"""The audit trail: every request, decision, vendor call and result, and settings change.

Only ever inserted into (the database refuses UPDATE and DELETE on `audit_log`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import utcnow
from bot.db.models import AuditEntry, CreditRequest
from bot.db.session import Database

SYSTEM = "system"
"""The actor of what nobody clicked: auto-approval, expiry, reconciliation."""


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One audit entry as read back: what the trail and its export show."""

    id: int
    """Internal, one sequence across workspaces: for ordering only, never shown."""
    at: datetime
    actor_id: str | None
    action: str
    request_id: int | None
    request_number: int | None
    """The request's number in its workspace, the one people are shown."""
    product: str | None
    amount: Decimal | None
    details: Mapping[str, Any]

    @classmethod
    def of(cls, entry: AuditEntry) -> AuditRecord:
        return cls(
            id=entry.id,
            at=entry.at,
            actor_id=entry.actor_id,
            action=entry.action,
            request_id=entry.request_id,
            request_number=entry.request_number,
            product=entry.product,
            amount=entry.amount,
            details=dict(entry.details or {}),
        )


async def record(
    session: AsyncSession,
    team_id: str,
    action: str,
    actor_id: str | None,
    *,
    request_id: int | None = None,
    product: str | None = None,
    amount: Decimal | None = None,
    **details: Any,
) -> None:
    """Write one audit row in the caller's transaction, so it lands with the change itself."""
    await session.execute(
        insert(AuditEntry).values(
            team_id=team_id,
            at=utcnow(),
            actor_id=actor_id,
            action=action,
            request_id=request_id,
            product=product,
            amount=amount,
            details={k: _plain(v) for k, v in details.items() if v is not None},
        )
    )


async def record_many(
    session: AsyncSession,
    team_id: str,
    action: str,
    actor_id: str | None,
    details: Sequence[dict[str, Any]],
    *,
    product: str | None = None,
) -> None:
    """Write one audit row per `details` entry in a single statement (many alerts at once)."""
    at = utcnow()
    await session.execute(
        insert(AuditEntry),
        [
            {
                "team_id": team_id,
                "at": at,
                "actor_id": actor_id,
                "action": action,
                "request_id": None,
                "product": product,
                "amount": None,
                "details": {k: _plain(v) for k, v in entry.items() if v is not None},
            }
            for entry in details
        ],
    )


async def recent(database: Database, team_id: str, days: int) -> list[AuditRecord]:
    """The workspace's entries of the last `days`, newest first."""
    since = utcnow() - timedelta(days=days)
    async with database.session() as session:
        rows = await session.scalars(
            select(AuditEntry)
            .where(AuditEntry.team_id == team_id, AuditEntry.at >= since)
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        )
        return [AuditRecord.of(row) for row in rows.all()]


# `line` numbers the export's own rows: the audit table's ids are one sequence across every
# workspace, and would tell a workspace how busy the others are.
CSV_COLUMNS = ("line", "at_utc", "actor", "action", "request", "product", "amount_eur", "details")


def to_csv(entries: Sequence[AuditRecord]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for line, entry in enumerate(sorted(entries, key=lambda e: (e.at, e.id)), start=1):
        writer.writerow(
            _inert(
                [
                    line,
                    entry.at.strftime("%Y-%m-%d %H:%M:%S"),
                    entry.actor_id or "",
                    entry.action,
                    # Its number in the workspace, never the internal id (see AuditEntry).
                    entry.request_number or "",
                    entry.product or "",
                    f"{entry.amount:f}" if entry.amount is not None else "",
                    "; ".join(f"{k}={v}" for k, v in sorted(entry.details.items())),
                ]
            )
        )
    return out.getvalue()


def _inert(cells: list[object]) -> list[object]:
    """Text a spreadsheet would run as a formula (=, +, -, @) is prefixed with a quote."""
    return [
        "'" + cell if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@") else cell
        for cell in cells
    ]


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return value


async def latest(
    database: Database, team_id: str, limit: int, *, about_user: str | None = None
) -> list[AuditRecord]:
    """The `limit` newest entries of a workspace, newest first; with `about_user`, only what
    that person did or what was done to their requests (a member's own activity)."""
    conditions = [AuditEntry.team_id == team_id]
    if about_user is not None:
        own_requests = select(CreditRequest.id).where(
            CreditRequest.team_id == team_id, CreditRequest.requester_id == about_user
        )
        conditions.append(
            (AuditEntry.actor_id == about_user) | AuditEntry.request_id.in_(own_requests)
        )
    async with database.session() as session:
        rows = await session.scalars(
            select(AuditEntry)
            .where(*conditions)
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .limit(limit)
        )
        return [AuditRecord.of(row) for row in rows.all()]
