"""`/partner recurring …` and `/partner auto-topup …` as typed (bot.slack.recurring.parsing):
what each text means, the French words meaning the same, and what is refused."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

import pytest

from bot.partner.models import Product
from bot.services.recurring.schedule import Every, Frequency
from bot.slack.commands import CommandError
from bot.slack.partner_command import parse_command
from bot.slack.recurring.parsing import AddAuto, AddSeries, ChangeSeries, ListSeries, OnSeries

EMAIL = "client05@example.com"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        (
            f"recurring add {EMAIL} 7 daily 06:30 UTC nightly float",
            AddSeries(
                Product.SMS,
                EMAIL,
                Decimal(7),
                None,
                Frequency(Every.DAILY),
                time(6, 30),
                "UTC",
                None,
                "nightly float",
            ),
        ),
        (
            f"mail recurring add {EMAIL} up-to 1 000,50 € weekly friday",
            AddSeries(
                Product.MAIL,
                EMAIL,
                None,
                Decimal("1000.50"),
                Frequency(Every.WEEKLY, weekday=4),
                time(9),
                None,
                None,
                None,
            ),
        ),
        (
            f"recurring add {EMAIL} 500 monthly 1 08:00 America/New_York until 2027-12-31 rent",
            AddSeries(
                Product.SMS,
                EMAIL,
                Decimal(500),
                None,
                Frequency(Every.MONTHLY, day=1),
                time(8),
                "America/New_York",
                date(2027, 12, 31),
                "rent",
            ),
        ),
        ("recurring", ListSeries()),
        ("recurring list", ListSeries()),
        ("recurring pause 3", OnSeries("pause", 3)),
        ("recurring resume #3", OnSeries("resume", 3)),
        ("recurring cancel 3", OnSeries("cancel", 3)),
        ("recurring approve 3", OnSeries("approve", 3)),
        ("recurring change 3 9,50", ChangeSeries(3, Decimal("9.5"), None)),
        ("recurring change 3 until 2028-01-01", ChangeSeries(3, None, date(2028, 1, 1))),
        (
            f"auto-topup {EMAIL} below 10 add 50",
            AddAuto(Product.SMS, EMAIL, Decimal(10), Decimal(50), None),
        ),
        (
            f"auto-topup {EMAIL} below 10 add 50 max 200 per month",
            AddAuto(Product.SMS, EMAIL, Decimal(10), Decimal(50), Decimal(200)),
        ),
        ("auto-topup list", ListSeries(auto=True)),
        ("auto-topup cancel 2", OnSeries("cancel", 2)),
    ],
)
def test_what_a_text_means(typed: str, expected: object) -> None:
    assert parse_command(typed) == expected


@pytest.mark.parametrize(
    ("french", "english"),
    [
        (
            f"récurrent ajouter {EMAIL} 7 quotidien 06:30 UTC",
            f"recurring add {EMAIL} 7 daily 06:30 UTC",
        ),
        (
            f"recurrent ajouter {EMAIL} niveau 100 hebdomadaire lundi",
            f"recurring add {EMAIL} up-to 100 weekly monday",
        ),
        (
            f"récurrent ajouter {EMAIL} jusqu’à 100 mensuel 28 fin 2027-01-01",
            f"recurring add {EMAIL} up-to 100 monthly 28 until 2027-01-01",
        ),
        ("récurrent liste", "recurring list"),
        ("récurrent suspendre 2", "recurring pause 2"),
        ("récurrent reprendre 2", "recurring resume 2"),
        ("récurrent annuler 2", "recurring cancel 2"),
        ("récurrent modifier 2 5", "recurring change 2 5"),
        (
            f"recharge-auto {EMAIL} sous 10 ajouter 50 max 200 par mois",
            f"auto-topup {EMAIL} below 10 add 50 max 200 per month",
        ),
        ("recharge-auto liste", "auto-topup list"),
    ],
)
def test_french_words_mean_the_same(french: str, english: str) -> None:
    assert parse_command(french) == parse_command(english)


@pytest.mark.parametrize(
    "typed",
    [
        f"recurring add {EMAIL} 7",
        f"recurring add {EMAIL} 7 daily 24:00",
        f"recurring add {EMAIL} 7 weekly",
        f"recurring add {EMAIL} 7 monthly 29",
        f"recurring add {EMAIL} 7 monthly 0",
        f"recurring add {EMAIL} 0 daily",
        f"recurring add {EMAIL} -5 daily",
        f"recurring add {EMAIL} 7.0001 daily",
        f"recurring add {EMAIL} 7 daily 06:30 Nowhere/Atlantis",
        f"recurring add {EMAIL} 7 daily 06:30 ../../etc/passwd",
        f"recurring add {EMAIL} 7 daily until tomorrow",
        "recurring pause",
        "recurring pause x",
        "recurring frobnicate 3",
        f"auto-topup {EMAIL} below 10",
        f"auto-topup {EMAIL} below 10 add 50 max 200 per year",
    ],
)
def test_what_is_refused(typed: str) -> None:
    with pytest.raises(CommandError):
        parse_command(typed)
