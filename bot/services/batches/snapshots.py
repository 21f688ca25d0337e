"""Rows of the batch tables as the services hand them around (bot/services/batches/model.py)."""

from __future__ import annotations

from decimal import Decimal

from bot.db.batch_models import Batch, BatchRowState
from bot.partner.models import Product
from bot.services.batches.model import BatchSnapshot, BatchStatus, RowSnapshot, RowStatus

ADD, REMOVE = "credit_add", "credit_remove"


def snapshot(row: Batch) -> BatchSnapshot:
    return BatchSnapshot(
        id=row.id,
        team_id=row.team_id,
        number=row.number,
        product=Product(row.product),
        requester_id=row.requester_id,
        status=BatchStatus(row.status),
        source=row.source,
        csv_text=row.csv_text,
        row_count=row.row_count,
        total_add=row.total_add,
        total_remove=row.total_remove,
        main_balance_before=row.main_balance_before,
        approvals_needed=row.approvals_needed,
        approvers=tuple(row.approvers or ()),
        created_at=row.created_at,
        expires_at=row.expires_at,
        card_channel_id=row.card_channel_id,
        card_ts=row.card_ts,
        decided_by=row.decided_by,
        rejection_reason=row.rejection_reason,
        content_hash=row.content_hash,
        key_id=row.key_id,
    )


def row_snapshot(row: BatchRowState) -> RowSnapshot:
    return RowSnapshot(
        id=row.id,
        line=row.line,
        subaccount_token=row.subaccount_token,
        subaccount_email=row.subaccount_email,
        add=row.action == ADD,
        amount=row.amount if isinstance(row.amount, Decimal) else Decimal(row.amount),
        reason=row.reason,
        row_id=row.row_id,
        status=RowStatus(row.status),
        outcome_note=row.outcome_note,
        subaccount_balance_before=row.subaccount_balance_before,
        subaccount_balance_after=row.subaccount_balance_after,
        main_balance_after=row.main_balance_after,
    )
