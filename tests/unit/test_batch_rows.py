"""Reading a batch's CSV: each row by the command's rules, every problem with its row number."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.i18n import language
from bot.services.batches.rows import MAX_ROWS, BatchRow, read_rows


@pytest.mark.parametrize(
    ("text", "rows"),
    [
        ("acme,add,25", [BatchRow(1, "acme", True, Decimal("25.000"))]),
        (
            "subaccount,action,amount,reason,row_id\nacme,remove,12.5,March,r-1",
            [BatchRow(2, "acme", False, Decimal("12.500"), "March", "r-1")],
        ),
        # French spreadsheets: semicolons, comma decimals, French verbs, a header in French
        (
            "sous-compte;action;montant\nacme;ajouter;1 000,50 €\nbeta;retirer;0,125",
            [
                BatchRow(2, "acme", True, Decimal("1000.500")),
                BatchRow(3, "beta", False, Decimal("0.125")),
            ],
        ),
        # a comma decimal needs quotes in a comma file, as any CSV
        (
            'acme,add,"12,50"\n\n  \nbeta,ADD,3',
            [
                BatchRow(1, "acme", True, Decimal("12.500")),
                BatchRow(4, "beta", True, Decimal("3.000")),
            ],
        ),
        ("\ufeffacme,add,1,,id-7\r\n", [BatchRow(1, "acme", True, Decimal("1.000"), None, "id-7")]),
    ],
)
def test_rows_read(text: str, rows: list[BatchRow]) -> None:
    read = read_rows(text)
    assert read.errors == []
    assert read.rows == rows


@pytest.mark.parametrize(
    ("text", "problems"),
    [
        ("", [(0, "There are no rows: give at least one.")]),
        ("subaccount,action,amount\n", [(0, "There are no rows: give at least one.")]),
        (
            "acme,add",
            [(1, "2 cells: a row is subaccount, action, amount, then a reason and an id.")],
        ),
        ("acme,give,5", [(1, "“give”: the action is add or remove.")]),
        (",add,5", [(1, "The subaccount is missing.")]),
        ("acme,add,1.000", [(1, None)]),
        ("acme,add,-5", [(1, "The amount must be greater than 0.")]),
        (
            "a,add,1,,x\nb,add,2\nc,add,3,,x\nd,add,zero",
            [(3, "The row id “x” is already on row 1."), (4, None)],
        ),
    ],
)
def test_every_problem_has_its_row(text: str, problems: list[tuple[int, str | None]]) -> None:
    read = read_rows(text)
    with language("en"):
        found = [(p.line, str(p)) for p in read.errors]
    assert [line for line, _ in found] == [line for line, _ in problems]
    for (_, said), (_, expected) in zip(found, problems, strict=True):
        if expected is not None:
            assert said == expected


def test_too_many_rows_is_said_first_and_in_french() -> None:
    text = "\n".join(f"s{n},add,1" for n in range(MAX_ROWS + 1))
    read = read_rows(text)
    assert read.errors[0].line == 0
    with language("fr"):
        assert "501" in str(read.errors[0]) and "500" in str(read.errors[0])
    assert read_rows("\n".join(f"s{n},add,1" for n in range(MAX_ROWS))).errors == []


def test_the_same_row_twice_is_asked_not_refused() -> None:
    read = read_rows("acme,add,5\nAcme,add,5.00\nacme,remove,5\nacme,add,5,again")
    assert read.errors == []
    with language("en"):
        assert [(p.line, str(p)) for p in read.repeated] == [
            (2, "Same as row 1."),
            (4, "Same as row 1."),
        ]
