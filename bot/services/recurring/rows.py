"""Series and runs as read from their rows."""

from __future__ import annotations

from datetime import time

from bot.db.recurring_models import RecurringRun, RecurringSeries
from bot.partner.models import Product
from bot.services.recurring.model import Run, RunState, Series, SeriesState, frequency_of


def series_of(row: RecurringSeries, last: Run | None) -> Series:
    at = time.fromisoformat(row.at_time) if row.at_time else None
    return Series(
        id=row.id,
        team_id=row.team_id,
        number=row.number,
        kind=row.kind,
        product=Product(row.product),
        subaccount_token=row.subaccount_token,
        subaccount_email=row.subaccount_email,
        amount=row.amount,
        level=row.level,
        below=row.below,
        monthly_max=row.monthly_max,
        frequency=frequency_of(row.every, row.weekday, row.day),
        at=at,
        zone=row.zone,
        until=row.until,
        reason=row.reason,
        state=SeriesState(row.state),
        why=row.why,
        approvals_needed=row.approvals_needed,
        approvers=tuple(row.approvers or ()),
        created_by=row.created_by,
        created_at=row.created_at,
        starts_at=row.starts_at,
        failures_in_a_row=row.failures_in_a_row,
        proposed=row.proposed,
        key_id=row.key_id,
        last_run=last,
        card=(row.card_channel_id, row.card_ts) if row.card_channel_id and row.card_ts else None,
        armed=row.armed,
    )


def run_of(row: RecurringRun) -> Run:
    return Run(
        id=row.id,
        series_id=row.series_id,
        period=row.period,
        due_at=row.due_at,
        state=RunState(row.state),
        request_id=row.request_id,
        attempt=row.attempt,
        retry_at=row.retry_at,
        amount=row.amount,
        note=row.note,
    )
