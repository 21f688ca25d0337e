"""A batch's rows, read from CSV text: `subaccount,action,amount[,reason][,row_id]`.

Pure: no vendor, no database. Every problem is kept with its row number (the line in the file,
counting the header if there is one) so the form can list them all at once; nothing moves
unless there are none. What is not an error but may be a mistake (the same row twice) is kept
apart, for the person to confirm.

Decisions (docs/batches.md): the header is optional (a first line whose first cell is
`subaccount` or `sous-compte` is one); `action` is `add` or `remove`, and French people may
write `ajouter` or `retirer`; amounts are read by `bot.money.parse_user_amount`, the command's
own rules (so `1 000,50` and `12,50 €` work, `1.000` is refused); cells may be separated by
commas or semicolons (French spreadsheets save `;`), one separator for the whole file.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from bot.i18n import N_, _
from bot.money import InvalidAmount, parse_user_amount

MAX_ROWS = 500
MAX_REASON = 500
MAX_ROW_ID = 64
ACTIONS = {"add": True, "remove": False, "ajouter": True, "retirer": False}
HEADER_WORDS = frozenset({"subaccount", "sous-compte", "sous_compte"})


@dataclass(frozen=True, slots=True)
class BatchRow:
    line: int
    """Where it is in the text (1 = the first line): what every message about it says."""
    ref: str
    add: bool
    amount: Decimal
    reason: str | None = None
    row_id: str | None = None


@dataclass(frozen=True, slots=True)
class RowProblem:
    line: int
    message: str
    fields: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return _(self.message).format(**self.fields)


@dataclass(frozen=True, slots=True)
class ReadRows:
    rows: list[BatchRow]
    errors: list[RowProblem]
    repeated: list[RowProblem]
    """Rows that say the same as an earlier one: allowed once the person confirms."""


def read_rows(text: str) -> ReadRows:
    """Every row of `text`, or every reason it cannot be a batch."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    delimiter = ";" if _first_line(lines).count(";") > _first_line(lines).count(",") else ","
    rows: list[BatchRow] = []
    errors: list[RowProblem] = []
    for line_number, cells in enumerate(csv.reader(io.StringIO(lines), delimiter=delimiter), 1):
        cells = [cell.strip() for cell in cells]
        if not any(cells):
            continue
        if not rows and not errors and cells[0].lower() in HEADER_WORDS:
            continue
        row = _row(line_number, cells, errors)
        if row is not None:
            rows.append(row)
    counted = len(rows) + len({e.line for e in errors})
    if counted == 0:
        errors.append(RowProblem(0, N_("There are no rows: give at least one.")))
    elif counted > MAX_ROWS:
        errors.insert(
            0,
            RowProblem(
                0,
                N_("{count} rows: a batch has at most {most}. Split the file."),
                {"count": counted, "most": MAX_ROWS},
            ),
        )
    errors += _same_row_id(rows)
    return ReadRows(rows, sorted(errors, key=lambda e: e.line), _repeated(rows))


def _first_line(text: str) -> str:
    return text.split("\n", 1)[0]


def _row(line: int, cells: list[str], errors: list[RowProblem]) -> BatchRow | None:
    if len(cells) < 3 or len(cells) > 5:
        errors.append(
            RowProblem(
                line,
                N_("{count} cells: a row is subaccount, action, amount, then a reason and an id."),
                {"count": len(cells)},
            )
        )
        return None
    ref, action, written = cells[0], cells[1].lower(), cells[2]
    reason = cells[3] if len(cells) > 3 and cells[3] else None
    row_id = cells[4] if len(cells) > 4 and cells[4] else None
    found = len(errors)
    if not ref:
        errors.append(RowProblem(line, N_("The subaccount is missing.")))
    if action not in ACTIONS:
        errors.append(
            RowProblem(line, N_("“{action}”: the action is add or remove."), {"action": cells[1]})
        )
    try:
        amount = parse_user_amount(written)
    except InvalidAmount as refused:
        errors.append(RowProblem(line, refused.message, dict(refused.fields)))
        amount = Decimal(0)
    if reason and len(reason) > MAX_REASON:
        errors.append(
            RowProblem(
                line, N_("The reason is longer than {most} characters."), {"most": MAX_REASON}
            )
        )
    if row_id and len(row_id) > MAX_ROW_ID:
        errors.append(
            RowProblem(
                line, N_("The row id is longer than {most} characters."), {"most": MAX_ROW_ID}
            )
        )
    if len(errors) > found:
        return None
    return BatchRow(line, ref, ACTIONS[action], amount, reason, row_id)


def _same_row_id(rows: list[BatchRow]) -> list[RowProblem]:
    first: dict[str, int] = {}
    problems = []
    for row in rows:
        if row.row_id is None:
            continue
        if row.row_id in first:
            problems.append(
                RowProblem(
                    row.line,
                    N_("The row id “{row_id}” is already on row {first}."),
                    {"row_id": row.row_id, "first": first[row.row_id]},
                )
            )
        else:
            first[row.row_id] = row.line
    return problems


def _repeated(rows: list[BatchRow]) -> list[RowProblem]:
    first: dict[tuple[str, bool, Decimal], int] = {}
    repeated = []
    for row in rows:
        key = (row.ref.lower(), row.add, row.amount)
        if key in first:
            repeated.append(RowProblem(row.line, N_("Same as row {first}."), {"first": first[key]}))
        else:
            first[key] = row.line
    return repeated
