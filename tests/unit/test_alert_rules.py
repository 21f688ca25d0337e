"""Where a balance stands against its thresholds: the main account's level, and what a
threshold just set finds already below it."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from bot.partner.models import Product, Subaccount
from bot.services.alerts import MAIN, AlertConfig, Level, Scope, Threshold

SMS = Product.SMS


def sub(token: str, balance: str) -> Subaccount:
    return Subaccount(1, f"{token}@x.example", "simple", token, None, D(balance), "EUR")


def config(*thresholds: Threshold) -> AlertConfig:
    return AlertConfig("C1", thresholds)


def main(warn: str, critical: str | None = None) -> Threshold:
    return Threshold(SMS, Scope.MAIN, MAIN, None, D(warn), D(critical) if critical else None)


@pytest.mark.parametrize(
    ("thresholds", "balance", "expected"),
    [
        ((), "5", None),
        ((main("100"),), "100", (Level.OK, D(100))),  # at the threshold: not below
        ((main("100"),), "99.999", (Level.WARN, D(100))),
        ((main("100", "10"),), "50", (Level.WARN, D(100))),
        ((main("100", "10"),), "9", (Level.CRITICAL, D(10))),
        ((main("100", "10"),), "10", (Level.WARN, D(100))),
    ],
)
def test_main_level(
    thresholds: tuple[Threshold, ...], balance: str, expected: tuple[Level, D] | None
) -> None:
    assert config(*thresholds).main_level(SMS, D(balance)) == expected


SUBS = (sub("a", "3"), sub("b", "1"), sub("c", "50"), sub("own", "2"))
DEFAULT = Threshold(SMS, Scope.SUBACCOUNTS, "", None, D(5), None)
OWN = Threshold(SMS, Scope.SUBACCOUNT, "own", "own@x.example", D(1), None)


@pytest.mark.parametrize(
    ("thresholds", "scope", "main_balance", "subject", "expected"),
    [
        ((main("100"),), Scope.MAIN, "99", MAIN, [("", D(99))]),
        ((main("100"),), Scope.MAIN, "100", MAIN, []),
        ((main("100"),), Scope.MAIN, None, MAIN, []),  # the vendor did not answer
        # Lowest first; "own" has its own threshold (1), so the default one (5) skips it.
        (
            (DEFAULT, OWN),
            Scope.SUBACCOUNTS,
            "0",
            MAIN,
            [("b@x.example", D(1)), ("a@x.example", D(3))],
        ),
        (
            (DEFAULT,),
            Scope.SUBACCOUNTS,
            "0",
            MAIN,
            [("b@x.example", D(1)), ("own@x.example", D(2)), ("a@x.example", D(3))],
        ),
        ((DEFAULT, OWN), Scope.SUBACCOUNT, "0", "own", []),  # 2 is not below its own 1
        (
            (Threshold(SMS, Scope.SUBACCOUNT, "a", "a@x.example", D(4), None),),
            Scope.SUBACCOUNT,
            "0",
            "a",
            [("a@x.example", D(3))],
        ),
    ],
)
def test_what_a_threshold_just_set_finds_below_it(
    thresholds: tuple[Threshold, ...],
    scope: Scope,
    main_balance: str | None,
    subject: str,
    expected: list[tuple[str, D]],
) -> None:
    balance = D(main_balance) if main_balance is not None else None
    assert config(*thresholds).below_now(SMS, scope, balance, SUBS, subject) == expected
