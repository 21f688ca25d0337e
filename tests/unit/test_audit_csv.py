"""The export's rows (bot.services.audit.to_csv): names beside ids, words beside codes, and the
two styles — standard CSV, and the one French Excel opens in columns."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from bot.services.audit import (
    CSV_COLUMNS,
    FRENCH_EXCEL_CSV,
    STANDARD_CSV,
    SYSTEM,
    AuditRecord,
    CsvStyle,
    people,
    to_csv,
)

AT = datetime(2026, 12, 6, 9, 5, 7, tzinfo=UTC)
ENTRIES = [
    AuditRecord(1, AT, "U0ALICE", "request_created", 11, 3, "sms", Decimal("50.500"), {}),
    AuditRecord(
        2,
        AT,
        "U0BOB",
        "setting_change_confirmed",
        None,
        None,
        None,
        None,
        {"asked_by": "U0ALICE", "new": "75.000", "old": "50.000", "setting": "x"},
    ),
    AuditRecord(3, AT, SYSTEM, "vendor_succeeded", 11, 3, "sms", Decimal("50.500"), {}),
]
NAMES = {"U0ALICE": "Alice Martin", "U0BOB": "=HYPERLINK(evil)"}
WORDS = {"request_created": "a fait une demande", "vendor_succeeded": "succès confirmé"}


def rows(content: str, style: CsvStyle) -> list[dict[str, str]]:
    return list(
        csv.DictReader(io.StringIO(content.removeprefix("\ufeff")), delimiter=style.delimiter)
    )


@pytest.mark.parametrize(
    ("style", "at", "amount", "new", "bom"),
    [
        (STANDARD_CSV, "2026-12-06 09:05:07", "50.500", "new=75.000", False),
        (FRENCH_EXCEL_CSV, "06/12/2026 09:05", "50,500", "new=75,000", True),
    ],
)
def test_each_style(style: CsvStyle, at: str, amount: str, new: str, bom: bool) -> None:
    content = to_csv(ENTRIES, names=NAMES, words=WORDS, style=style)
    assert content.startswith("\ufeff") is bom
    assert content.removeprefix("\ufeff").split("\r\n")[0] == style.delimiter.join(CSV_COLUMNS)
    made, confirmed, done = rows(content, style)
    assert (made["at_utc"], made["amount_eur"]) == (at, amount)
    assert Decimal(made["amount_eur"].replace(",", ".")) == Decimal("50.5")
    assert (made["actor"], made["actor_name"]) == ("U0ALICE", "Alice Martin")
    assert (made["action"], made["action_words"]) == ("request_created", "a fait une demande")
    # A name a spreadsheet would run as a formula is made inert; an unknown action has no words.
    assert confirmed["actor_name"] == "'=HYPERLINK(evil)"
    assert confirmed["action_words"] == ""
    assert "asked_by=U0ALICE (Alice Martin)" in confirmed["details"] and new in confirmed["details"]
    assert (done["actor"], done["actor_name"]) == (SYSTEM, "")


def test_whom_the_export_names_once_each() -> None:
    role = AuditRecord(
        4, AT, "UOWNER", "approver_added", None, None, None, None, {"subject": "user:U0CAROL"}
    )
    group = AuditRecord(
        5, AT, "UOWNER", "approver_added", None, None, None, None, {"subject": "usergroup:S1"}
    )
    assert people([*ENTRIES, role, group]) == ["U0ALICE", "U0BOB", "UOWNER", "U0CAROL"]
