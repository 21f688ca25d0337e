"""`/partner language …` parsed, table-driven."""

from __future__ import annotations

import pytest

from bot.slack.commands import CommandError
from bot.slack.language.parsing import Language
from bot.slack.partner_command import parse_command


@pytest.mark.parametrize(
    ("typed", "parsed"),
    [
        ("language", Language()),
        ("language fr", Language("fr")),
        ("language EN", Language("en")),
        ("language fr here", Language("fr", here=True)),
        ("langue français ici", Language("fr", here=True)),
        ("langue anglais", Language("en")),
        ("language French HERE", Language("fr", here=True)),
    ],
)
def test_language(typed: str, parsed: Language) -> None:
    assert parse_command(typed) == parsed


@pytest.mark.parametrize(
    "typed", ["language de", "language fr en", "language here", "language here fr", "langue x ici"]
)
def test_language_refused_with_the_usage(typed: str) -> None:
    with pytest.raises(CommandError) as refused:
        parse_command(typed)
    assert "/partner language fr" in refused.value.message
