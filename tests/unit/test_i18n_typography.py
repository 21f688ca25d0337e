"""French typography: a no-break space before `: ; ? !` and inside « », set by
`python -m bot.i18n extract` in every French translation, prose only."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import write_po

from bot.i18n import LOCALES
from bot.i18n.catalogs import path_of, read, refresh
from bot.i18n.typography import french_typography, plain_spaces_in_french_prose

N = "\u00a0"


@pytest.mark.parametrize(
    ("typed", "set"),
    [
        ("Montant : {amount}", f"Montant{N}: {{amount}}"),
        ("Sûr ? Oui ! Non ; peut-être", f"Sûr{N}? Oui{N}! Non{N}; peut-être"),
        ("« {shown} » est ambigu", f"«{N}{{shown}}{N}» est ambigu"),
        ("Montant\u202f: x", f"Montant{N}: x"),  # a narrow space too: one rule, consistent
        (f"Déjà{N}: bon", f"Déjà{N}: bon"),
        ("Bonjour :wave: et :white_check_mark: fait", "Bonjour :wave: et :white_check_mark: fait"),
        ("Voir https://x.example/a?b=1 !", f"Voir https://x.example/a?b=1{N}!"),
        ("le {at:%H:%M} : ok", f"le {{at:%H:%M}}{N}: ok"),
        ("le <!date^1^{date} {time}|1 mars> : ok", f"le <!date^1^{{date}} {{time}}|1 mars>{N}: ok"),
        ("tapez `/partner a : b` ici", "tapez `/partner a : b` ici"),
        ("<!here> et <@U1> !", f"<!here> et <@U1>{N}!"),
        ("10:30 et http://x", "10:30 et http://x"),
        ("la demande n° {id}", f"la demande n°{N}{{id}}"),
        ("*n° {id}* · l'auteur", f"*n°{N}{{id}}* · l’auteur"),
        ("tapez `@quelqu'un` ou <@U1|l'ami>", "tapez `@quelqu'un` ou <@U1|l'ami>"),
        ("", ""),
    ],
)
def test_french_typography_sets_no_break_spaces_in_prose_only(typed: str, set: str) -> None:
    assert french_typography(typed) == set
    assert french_typography(set) == set
    assert plain_spaces_in_french_prose(set) == []


def test_extract_sets_french_typography_in_new_translations(tmp_path: Path) -> None:
    """A translation merged from another branch with plain spaces is fixed by re-running it."""
    locales = tmp_path / "locales"
    shutil.copytree(LOCALES, locales)
    french = read("fr", locales)
    message = next(m for m in french if isinstance(m.string, str) and f"{N}:" in m.string)
    message.string = message.string.replace("\u00a0", " ")
    assert plain_spaces_in_french_prose(message.string)
    with path_of("fr", locales).open("wb") as po:
        write_po(po, french, width=100, include_lineno=False)

    refresh(locales)

    fixed = read("fr", locales)[message.id]
    assert fixed is not None and isinstance(fixed.string, str)
    assert plain_spaces_in_french_prose(fixed.string) == []
    assert fixed.string.replace("\u00a0", " ") == message.string.replace("\u00a0", " ")
    assert path_of("en", locales).read_bytes() == path_of("en").read_bytes()
