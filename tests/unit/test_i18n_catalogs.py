"""Every message the code marks is in both catalogs, translated into French, with the same
placeholders; no catalog keeps a message no code uses. `python -m bot.i18n extract` refreshes
the catalogs; the French is written by hand."""

from __future__ import annotations

import re
import string

import pytest
from babel.messages.catalog import Catalog

from bot.i18n import LANGUAGES
from bot.i18n.catalogs import read, template
from bot.i18n.typography import plain_spaces_in_french_prose

_PLACEHOLDER_NAMES = string.Formatter()


def _ids(catalog: Catalog) -> set[str]:
    return {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}


def _keys(catalog: Catalog) -> set[tuple[str | None, str]]:
    """A message with its context: the same English word in two contexts is two messages."""
    return {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in catalog if m.id}


def _forms(value: str | tuple[str, ...] | None) -> tuple[str, ...]:
    if value is None:
        return ("",)
    return value if isinstance(value, tuple) else (value,)


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in _PLACEHOLDER_NAMES.parse(text) if name is not None}


def test_the_catalogs_hold_exactly_what_the_code_marks(subtests: pytest.Subtests) -> None:
    # One extraction of the code's messages for these checks: each xdist worker that ran one
    # of them (they were five tests) walked the whole package again.
    code = template()
    with subtests.test("the extraction works"):  # a broken keyword list passes every check
        assert "Main account balances" in _ids(code)
        assert "The amount must be greater than 0." in _ids(code)  # N_ in bot/money.py
        assert "*SMS (premium)*\n{count} message" in _ids(code)  # ngettext
        assert ("request state", "rejected") in _keys(code)  # _lp
    for lang in LANGUAGES:
        catalog = _keys(read(lang))
        with subtests.test(f"no message is missing in {lang}"):
            missing = _keys(code) - catalog
            assert not missing, (
                f"not in the {lang} catalog (run `python -m bot.i18n extract`): {missing}"
            )
        with subtests.test(f"no message is obsolete in {lang}"):
            obsolete = catalog - _keys(code)
            assert not obsolete, (
                f"no code uses these in {lang} (run `python -m bot.i18n extract`): {obsolete}"
            )


def test_every_french_message_is_translated() -> None:
    french = read("fr")
    untranslated = [m.id for m in french if m.id and (m.fuzzy or not all(_forms(m.string)))]
    assert not untranslated, f"French translation empty or fuzzy: {untranslated}"


def test_translations_keep_the_placeholders() -> None:
    """A renamed or dropped `{placeholder}` would raise KeyError or lose a value at run time."""
    wrong = []
    for message in read("fr"):
        if not message.id:
            continue
        expected = _placeholders(_forms(message.id)[-1])
        for form in _forms(message.string):
            if _placeholders(form) != expected:
                wrong.append((message.id, form))
    assert not wrong


def test_french_uses_french_punctuation() -> None:
    """A no-break space before `:`, `;`, `?`, `!` and inside « »: the French typography vendors
    expect, and a colon Slack cannot wrap alone onto the next line."""
    wrong = []
    for message in read("fr"):
        for form in _forms(message.string) if message.id else ():
            prose = re.sub(r":[a-z0-9_+-]+:", "", form)  # emoji codes are not punctuation
            prose = re.sub(r"&(?:lt|gt|amp);", "", prose)  # nor Slack's escapes (`&lt;montant&gt;`)
            if re.search(r"[^\s*\d]:(\s|$)|\S[;?!](\s|$)|“|”", prose):
                wrong.append(form)
            wrong += plain_spaces_in_french_prose(form)
    assert not wrong, f"run `python -m bot.i18n extract` to fix: {wrong}"
