"""What a batch and its rows are, as the services hand them around (no Slack, no SQL)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from bot.partner.models import Product


class BatchStatus(StrEnum):
    DRAFT = "draft"  # checked, waiting for its requester to answer the questions
    PENDING = "pending"  # waiting for its approvers
    APPROVED = "approved"  # approved, no row carried out yet
    RUNNING = "running"  # rows being carried out (by whoever holds the lease)
    DONE = "done"  # every row in a final state or unknown
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


RUNNABLE = frozenset({BatchStatus.APPROVED, BatchStatus.RUNNING})


class RowStatus(StrEnum):
    """A row's life: waiting → executing → succeeded | failed | unknown; waiting → failed
    (before any vendor call: the balance ran out, the subaccount is gone); unknown →
    succeeded | failed (reconciled from the balances, or marked by an approver). No move goes
    back to waiting, so a row's vendor call is made at most once."""

    WAITING = "waiting"
    EXECUTING = "executing"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    UNKNOWN = "unknown"


SETTLED = frozenset({RowStatus.SUCCEEDED, RowStatus.FAILED})
EXECUTED = frozenset({RowStatus.EXECUTING, RowStatus.SUCCEEDED, RowStatus.UNKNOWN})
"""A row with one of these has (or may have) moved money: its row_id is taken."""


class Question(StrEnum):
    """What the requester is asked before a batch is made, and must say yes to."""

    SAME_FILE = "same_file"
    ROW_IDS_DONE = "row_ids_done"
    REPEATED_ROWS = "repeated_rows"


@dataclass(frozen=True, slots=True)
class RowSnapshot:
    id: int
    line: int
    subaccount_token: str
    subaccount_email: str
    add: bool
    amount: Decimal
    reason: str | None
    row_id: str | None
    status: RowStatus
    outcome_note: str | None = None
    subaccount_balance_before: Decimal | None = None
    subaccount_balance_after: Decimal | None = None
    main_balance_after: Decimal | None = None


@dataclass(frozen=True, slots=True)
class BatchSnapshot:
    id: int
    team_id: str
    number: int
    product: Product
    requester_id: str
    status: BatchStatus
    source: str
    csv_text: str
    row_count: int
    total_add: Decimal
    total_remove: Decimal
    main_balance_before: Decimal | None
    approvals_needed: int
    approvers: tuple[str, ...]
    created_at: datetime
    expires_at: datetime
    card_channel_id: str | None = None
    card_ts: str | None = None
    decided_by: str | None = None
    rejection_reason: str | None = None
    content_hash: str = ""
    key_id: str | None = None

    @property
    def main_balance_after(self) -> Decimal | None:
        """What the main account holds once every row is done, if nothing else moves it."""
        if self.main_balance_before is None:
            return None
        return self.main_balance_before - self.total_add + self.total_remove


@dataclass(frozen=True, slots=True)
class Progress:
    total: int
    succeeded: int
    failed: int
    unknown: int

    @property
    def done(self) -> int:
        return self.succeeded + self.failed + self.unknown
