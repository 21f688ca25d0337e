"""The results CSV: one line per row, in file order — done, failed and why, or unknown."""

from __future__ import annotations

import csv
import io

from bot.money import api_amount
from bot.services.batches.model import RowSnapshot, RowStatus

COLUMNS = ("row", "subaccount", "action", "amount", "row_id", "result", "why", "balance_after")
RESULT = {
    RowStatus.SUCCEEDED: "done",
    RowStatus.FAILED: "failed",
    RowStatus.UNKNOWN: "unknown",
    RowStatus.WAITING: "not run",
    RowStatus.EXECUTING: "unknown",
}


def results_csv(rows: list[RowSnapshot]) -> str:
    """Machine-readable on purpose (English words, amounts with a point), like the input."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        done = row.status is RowStatus.SUCCEEDED
        writer.writerow(
            (
                row.line,
                row.subaccount_email,
                "add" if row.add else "remove",
                api_amount(row.amount),
                row.row_id or "",
                RESULT[row.status],
                "" if done else (row.outcome_note or ""),
                api_amount(row.subaccount_balance_after)
                if row.subaccount_balance_after is not None
                else "",
            )
        )
    return out.getvalue()
