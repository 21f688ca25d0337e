"""The catalogs against the code: what strings the code marks (`_`, `_l`, `N_`, `ngettext`),
and refreshing both .po files from them (`python -m bot.i18n extract`), French typography
included (bot/i18n/typography.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from bot.i18n import DOMAIN, LANGUAGES, LOCALES
from bot.i18n.typography import french_typography

KEYWORDS = {
    "_": None,
    "_l": None,
    "N_": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "_lp": ((1, "c"), 2),
}
SOURCES = Path(__file__).resolve().parent.parent  # bot/


def template() -> Catalog:
    """Every message marked in bot/, as a catalog without translations."""
    catalog = Catalog(project="Partner Ops", domain=DOMAIN)
    for path, lineno, message, comments, context in extract_from_dir(
        SOURCES,
        method_map=[("**.py", "python")],
        keywords=KEYWORDS,
        comment_tags=("Translators:",),
    ):
        catalog.add(
            message,
            None,
            [(f"bot/{path}", lineno)],
            auto_comments=comments,
            context=context,
        )
    return catalog


# Rules a language's translations follow whoever wrote them, applied on every refresh.
TYPOGRAPHY = {"fr": french_typography}


def path_of(code: str, locales: Path = LOCALES) -> Path:
    return locales / code / "LC_MESSAGES" / f"{DOMAIN}.po"


def read(code: str, locales: Path = LOCALES) -> Catalog:
    with path_of(code, locales).open("rb") as po:
        return read_po(po, locale=code)


def refresh(locales: Path = LOCALES) -> list[Path]:
    """Both catalogs updated to the code: new messages added (empty, to translate), messages
    no code uses dropped, translations kept and set in the language's typography."""
    pot = template()
    written = []
    for code in LANGUAGES:
        path = path_of(code, locales)
        if path.exists():
            catalog = read(code, locales)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            catalog = Catalog(locale=code, project="Partner Ops", domain=DOMAIN)
        # The template's date would change every file on every run, for nothing.
        pot.creation_date = catalog.creation_date
        catalog.update(pot, no_fuzzy_matching=True)
        catalog.fuzzy = False
        if rule := TYPOGRAPHY.get(code):
            _apply(rule, catalog)
        with path.open("wb") as po:
            write_po(po, catalog, width=100, ignore_obsolete=True, include_lineno=False)
        written.append(path)
    return written


def _apply(rule: Callable[[str], str], catalog: Catalog) -> None:
    for message in catalog:
        if not message.id or not message.string:
            continue
        if isinstance(message.string, tuple):
            message.string = tuple(rule(form) for form in message.string)
        else:
            message.string = rule(message.string)
