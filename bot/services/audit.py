"""The audit trail: every request, decision, vendor call and result, and settings change.

Only ever inserted into (the database refuses UPDATE and DELETE on `audit_log`).
"""

from __future__ import annotations

import csv
import io
import re
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

ACTIONS = frozenset(
    {
        # a request's life (bot/services/requests)
        "request_created",
        "auto_approved",
        "no_approval_needed",
        "approval_counted",
        "approval_not_counted",
        "approved",
        "rejected",
        "cancelled",
        "withdrawn",
        "expired",
        "vendor_call_sent",
        "vendor_succeeded",
        "vendor_failed",
        "vendor_unknown",
        "failed_before_vendor_call",
        "execution_abandoned",
        "reconciled_succeeded",
        "reconciled_failed",
        "reconciliation_undecided",
        "marked_done",
        "marked_failed",
        # a batch's life, and one entry per row move (bot/services/batches)
        "batch_created",
        "batch_confirmed",
        "batch_approval_counted",
        "batch_approved",
        "batch_rejected",
        "batch_cancelled",
        "batch_expired",
        "batch_finished",
        "batch_row_sent",
        "batch_row_succeeded",
        "batch_row_failed",
        "batch_row_unknown",
        "batch_row_failed_before_call",
        "batch_row_abandoned",
        "batch_row_reconciled_succeeded",
        "batch_row_reconciled_failed",
        "batch_row_marked_done",
        "batch_row_marked_failed",
        # settings, roles, keys
        "policy_changed",
        "approver_added",
        "approver_removed",
        "admin_added",
        "admin_removed",
        "partner_key_saved",
        "setting_change_proposed",
        "setting_change_confirmed",
        "setting_change_not_confirmed",
        "setting_change_rejected",
        "setting_change_expired",
        "language_set",
        # subaccount controls (bot/services/subaccount_controls.py)
        "subaccount_frozen",
        "subaccount_unfrozen",
        "subaccount_cap_set",
        "subaccount_cap_removed",
        # alerts and digests
        "alert_channel_set",
        "alert_threshold_set",
        "alert_snoozed",
        "alert_fired",
        "digest_subscribed",
        "digest_unsubscribed",
        "usage_statement_sent",
        # the door
        "cross_workspace_refused",
        # recurring and automatic top-ups (bot/services/recurring)
        "recurring_proposed",
        "recurring_approval_counted",
        "recurring_approved",
        "recurring_raise_proposed",
        "recurring_raise_approved",
        "recurring_raise_rejected",
        "recurring_rejected",
        "recurring_lowered",
        "recurring_paused",
        "recurring_resumed",
        "recurring_cancelled",
        "recurring_ended",
        "recurring_run",
    }
)
"""Every action the code records. `record` refuses any other, so a new one is added here, and
tests/unit/test_audit_actions.py then asks for its words in the trail (English and French)."""


class UnknownAction(ValueError):
    """An action missing from ACTIONS: a programming error, raised before anything is written."""


def _known(action: str) -> str:
    if action not in ACTIONS:
        raise UnknownAction(f"{action!r} is not in bot.services.audit.ACTIONS")
    return action


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
    _known(action)
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
    _known(action)
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


MAX_DAYS = 366
"""How far back `/partner audit` reads or exports: a year, leap day included."""


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


USER_DETAILS = frozenset(
    {"asked_by", "by", "requester", "approver", "requested_by", "decided_by", "frozen_by"}
)
"""Details whose value is a Slack user id: shown as a mention, named in the export."""
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,31}$")


def people(entries: Sequence[AuditRecord]) -> list[str]:
    """The distinct users the entries name (actors, user details, users given a role), in
    order of first appearance: whom the export names, each looked up once."""
    seen: dict[str, None] = {}
    for entry in entries:
        named = [entry.actor_id]
        named += [str(v) for k, v in entry.details.items() if k in USER_DETAILS]
        subject = entry.details.get("subject")
        if isinstance(subject, str) and subject.startswith("user:"):
            named.append(subject.removeprefix("user:"))
        for user_id in named:
            if user_id and _USER_ID.match(user_id):
                seen.setdefault(user_id)
    return list(seen)


@dataclass(frozen=True, slots=True)
class CsvStyle:
    """How a spreadsheet of the reader's language opens the export in columns."""

    delimiter: str = ","
    decimal_mark: str = "."
    date_format: str = "%Y-%m-%d %H:%M:%S"
    bom: bool = False


STANDARD_CSV = CsvStyle()
# French Excel splits on `;` (its list separator), reads `12,5` as a number, and takes the
# file for Windows-1252 unless a BOM says UTF-8.
FRENCH_EXCEL_CSV = CsvStyle(delimiter=";", decimal_mark=",", date_format="%d/%m/%Y %H:%M", bom=True)
CSV_STYLES = {"en": STANDARD_CSV, "fr": FRENCH_EXCEL_CSV}

# `line` numbers the export's own rows: the audit table's ids are one sequence across every
# workspace, and would tell a workspace how busy the others are. The headers stay the same in
# every language, so what reads the file reads it whoever exported it.
CSV_COLUMNS = (
    "line",
    "at_utc",
    "actor",
    "actor_name",
    "action",
    "action_words",
    "request",
    "product",
    "amount_eur",
    "details",
)
_DECIMAL = re.compile(r"^-?\d+\.\d+$")


def to_csv(
    entries: Sequence[AuditRecord],
    *,
    names: Mapping[str, str] | None = None,
    words: Mapping[str, str] | None = None,
    style: CsvStyle = STANDARD_CSV,
) -> str:
    """Every entry, oldest first, one row each as the table holds it; `names` (user id → the
    name people know) beside the ids, `words` (action → what the reader reads) beside the
    action's code."""
    names, words = names or {}, words or {}

    def decimal(value: str) -> str:
        return value.replace(".", style.decimal_mark) if _DECIMAL.match(value) else value

    def detail(key: str, value: object) -> str:
        shown = decimal(str(value))
        name = names.get(str(value)) if key in USER_DETAILS else None
        return f"{key}={shown} ({name})" if name else f"{key}={shown}"

    out = io.StringIO()
    if style.bom:
        out.write("\ufeff")
    writer = csv.writer(out, delimiter=style.delimiter)
    writer.writerow(CSV_COLUMNS)
    for line, entry in enumerate(sorted(entries, key=lambda e: (e.at, e.id)), start=1):
        actor = entry.actor_id or ""
        writer.writerow(
            _inert(
                [
                    line,
                    entry.at.strftime(style.date_format),
                    actor,
                    names.get(actor, ""),
                    entry.action,
                    words.get(entry.action, ""),
                    # Its number in the workspace, never the internal id (see AuditEntry).
                    entry.request_number or "",
                    entry.product or "",
                    decimal(f"{entry.amount:f}") if entry.amount is not None else "",
                    "; ".join(detail(k, v) for k, v in sorted(entry.details.items())),
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


class AuditLog:
    """The audit trail as a service, for callers that hold no session (bot/slack)."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def recent(self, team_id: str, days: int) -> list[AuditRecord]:
        return await recent(self._database, team_id, days)

    async def record(self, team_id: str, action: str, actor_id: str | None, **details: Any) -> None:
        """One entry in a transaction of its own: for what changes nothing else."""
        async with self._database.session() as session:
            await record(session, team_id, action, actor_id, **details)
