"""Locale formatting (Babel) and the language of the moment, table-driven."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest

from bot.i18n import _, current_language, language, ngettext, normalise, use_language
from bot.i18n.formatting import duration, joined, labelled, money, number
from bot.money import InvalidAmount, format_money, parse_user_amount

NNBSP, NBSP = "\u202f", "\u00a0"


@pytest.mark.parametrize(
    ("amount", "lang", "shown"),
    [
        ("10225.119", "en", "€10,225.119"),
        ("10225.119", "fr", f"10{NNBSP}225,119{NBSP}€"),
        ("10225.1", "en", "€10,225.10"),
        ("10225.10", "fr", f"10{NNBSP}225,10{NBSP}€"),
        ("10225.1190", "en", "€10,225.119"),  # a trailing zero is not a 4th decimal
        ("12", "en", "€12.00"),
        ("12", "fr", f"12,00{NBSP}€"),
        ("0.005", "fr", f"0,005{NBSP}€"),
        ("-3.25", "en", "-€3.25"),
        ("-3.25", "fr", f"-3,25{NBSP}€"),
        ("1000000", "fr", f"1{NNBSP}000{NNBSP}000,00{NBSP}€"),
    ],
)
def test_money(amount: str, lang: str, shown: str) -> None:
    assert money(Decimal(amount), "EUR", lang) == shown


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("amount", ["10225.119", "0.5", "1000000", "12.34"])
def test_money_reads_back_as_the_same_amount(lang: str, amount: str) -> None:
    """What the bot writes, a user may paste back into a command."""
    shown = money(Decimal(amount), "EUR", lang)
    assert parse_user_amount(shown) == Decimal(amount)


def test_money_written_once_is_written_the_same_in_every_language_and_sign() -> None:
    """Each text is kept once written (Babel costs 50 µs an amount): the language and the
    sign stay part of what is kept, and equal amounts written differently read the same."""
    for _round in range(2):  # the second round is read from what the first kept
        assert money(Decimal("7.5"), "EUR", "en") == "€7.50"
        assert money(Decimal("7.5"), "EUR", "fr") == f"7,50{NBSP}€"
        assert money(Decimal("7.500"), "EUR", "en") == "€7.50"
        assert money(Decimal("0"), "EUR", "en") == "€0.00"
        assert money(Decimal("-0"), "EUR", "en") == "-€0.00"  # as Babel writes it
        assert money(7, "EUR", "en") == "€7.00"
        assert number(1234, "en") == "1,234" and number(1234, "fr") == f"1{NNBSP}234"
        assert number(Decimal("1234.5"), "en") == "1,234.5"


def test_money_refuses_a_float() -> None:
    with pytest.raises(TypeError):
        money(10.5, "EUR", "en")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "lang", "shown"),
    [(269082, "en", "269,082"), (269082, "fr", f"269{NNBSP}082"), (7, "fr", "7"), (0, "en", "0")],
)
def test_number(value: int, lang: str, shown: str) -> None:
    assert number(value, lang) == shown


@pytest.mark.parametrize(
    ("seconds", "lang", "shown"),
    [
        (3725, "en", "1 h 02 min 05 s"),
        (21366, "fr", "5 h 56 min 06 s"),
        (0, "en", "0 h 00 min 00 s"),
        (3_600_000, "en", "1,000 h 00 min 00 s"),
        (3_600_000, "fr", f"1{NNBSP}000 h 00 min 00 s"),
    ],
)
def test_duration(seconds: int, lang: str, shown: str) -> None:
    with language(lang):
        assert duration(seconds) == shown


@pytest.mark.parametrize(
    ("slack_locale", "lang"),
    [
        ("fr-FR", "fr"),
        ("fr-CA", "fr"),
        ("fr_BE", "fr"),
        ("FR", "fr"),
        ("en-US", "en"),
        ("en-GB", "en"),
        ("de-DE", "en"),
        ("", "en"),
        (None, "en"),
        ("french", "en"),
    ],
)
def test_normalise(slack_locale: str | None, lang: str) -> None:
    assert normalise(slack_locale) == lang


@pytest.mark.parametrize(
    ("n", "fr", "en"),
    [
        (0, "0 message", "0 messages"),
        (1, "1 message", "1 message"),
        (2, "2 messages", "2 messages"),
        (1_000_000, "1000000 de messages", "1000000 messages"),
    ],
)
def test_plurals_follow_each_languages_rules(n: int, fr: str, en: str) -> None:
    singular, plural = "*SMS (premium)*\n{count} message", "*SMS (premium)*\n{count} messages"
    for lang, expected in (("fr", fr), ("en", en)):
        with language(lang):
            assert ngettext(singular, plural, n).format(count=n).split("\n")[1] == expected


def test_language_is_scoped_and_english_by_default() -> None:
    assert current_language() == "en"
    with language("fr-FR"):
        assert _("Main account balances") == "Soldes du compte principal"
        with language("en"):
            assert _("Main account balances") == "Main account balances"
        assert current_language() == "fr"
    assert current_language() == "en"
    assert _("A message in no catalog") == "A message in no catalog"


async def test_each_task_keeps_its_own_language() -> None:
    """`use_language` in one request's task is not seen by another running beside it."""
    french_set, english_read = asyncio.Event(), asyncio.Event()
    seen: dict[str, str] = {}

    async def french() -> None:
        use_language("fr")
        french_set.set()
        await english_read.wait()
        seen["fr"] = _("Main account balances")

    async def english() -> None:
        await french_set.wait()
        seen["en"] = _("Main account balances")
        english_read.set()

    await asyncio.gather(asyncio.create_task(french()), asyncio.create_task(english()))
    assert seen == {"fr": "Soldes du compte principal", "en": "Main account balances"}
    assert current_language() == "en"


@pytest.mark.parametrize(
    ("typed", "en", "fr"),
    [
        ("12 50", "is ambiguous: a space separates", "est ambigu\u00a0: une espace ne sépare"),
        ("0", "The amount must be greater than 0.", "Le montant doit être supérieur à 0."),
        (
            "abc",
            "“abc” is not an amount: write it like 12,50.",
            "«\u00a0abc\u00a0» n’est pas un montant\u00a0: écrivez-le comme 12,50.",
        ),
        ("1.000", "Write 1000 without it, or 1 if", "Écrivez 1000 sans séparateur, ou 1 "),
        (
            "2000000",
            "€2,000,000.00 is more than the €1,000,000.00",
            f"2{NNBSP}000{NNBSP}000,00{NBSP}€, c’est plus que les 1{NNBSP}000{NNBSP}000,00{NBSP}€",
        ),
    ],
)
def test_amount_errors_are_worded_when_shown(typed: str, en: str, fr: str) -> None:
    """Raised before the reader is known, worded in the reader's language when shown."""
    with pytest.raises(InvalidAmount) as raised:
        parse_user_amount(typed)
    assert en in str(raised.value)
    with language("fr"):
        assert fr in str(raised.value)


@pytest.mark.parametrize(
    ("lang", "shown"), [("en", "€10,225.119"), ("fr", f"10{NNBSP}225,119{NBSP}€")]
)
def test_format_money_follows_the_language(lang: str, shown: str) -> None:
    with language(lang):
        assert format_money(Decimal("10225.119")) == shown


@pytest.mark.parametrize(
    ("lang", "items", "label"),
    [
        ("en", "a; b; c", "Reason: late"),
        ("fr", "a\u00a0; b\u00a0; c", "Reason\u00a0: late"),
    ],
)
def test_lists_and_labels_in_the_languages_typography(lang: str, items: str, label: str) -> None:
    with language(lang):
        assert joined(["a", "b", "c"]) == items and joined([]) == ""
        assert labelled("Reason", "late") == label
