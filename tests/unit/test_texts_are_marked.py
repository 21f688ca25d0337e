"""Issue 13: "a test fails … when a message is not in a catalog". tests/unit/test_i18n_catalogs.py
checks the catalogs against the marked strings; this checks that the strings are marked: every
module-level constant of a texts module (bot/slack/**/texts.py, bot/slack/**/*_texts.py,
bot/slack/texts/*.py) that holds words — a str, or strs inside a tuple, list or dict value — is
wrapped in `_l(...)` (or `_lp`, `N_`, `_`, `ngettext`), so the extractor puts it in the catalogs.

Not words, so left alone: dict keys (ids looked up by code), text with no letter once its
`{placeholders}`, `:emoji:` codes and `<links>` are set aside (`"{a} · {b}"`, `":warning:"`),
`/partner …` command syntax (typed the same in every language), the product names of
BRAND_NAMES, and what ALLOWED names with its reason.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SLACK = ROOT / "bot" / "slack"
MARKS = frozenset({"_l", "_lp", "N_", "_", "ngettext", "pgettext"})

BRAND_NAMES = frozenset({"Partner Ops", "SMS Partner", "Mail Partner", "Voice Partner"})
"""Names, the same in French: a catalog entry would only copy them."""

ALLOWED: dict[tuple[str, str], str] = {}
"""(module, constant) → why its text is not a message to translate."""

NOT_CONVERTED_YET: dict[str, str] = {}
"""Modules whose conversion lands with another branch: expected to fail until then, strictly —
once converted they pass, and the unexpected pass asks for their line here to go."""

_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
_EMOJI = re.compile(r":[a-z0-9_+'-]+:")
_LINK = re.compile(r"<[^<>]*>")
_LETTER = re.compile(r"[^\W\d_]")


def texts_modules() -> list[Path]:
    found = {*SLACK.rglob("texts.py"), *SLACK.rglob("*_texts.py"), *(SLACK / "texts").glob("*.py")}
    return sorted(found)


def has_words(text: str) -> bool:
    if text in BRAND_NAMES or text.startswith("/partner"):
        return False
    bare = _LINK.sub("", _EMOJI.sub("", _PLACEHOLDER.sub("", text)))
    return _LETTER.search(bare) is not None


def unmarked_strings(value: ast.expr) -> list[str]:
    """The str literals (and f-strings) in `value` outside any marking call and dict key."""
    found: list[str] = []

    def walk(node: ast.AST) -> None:
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name in MARKS:
                return
        if isinstance(node, ast.Dict):
            for item in node.values:
                walk(item)
            return
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.append(node.value)
            return
        if isinstance(node, ast.JoinedStr):
            found.append(ast.unparse(node))
            return
        for child in ast.iter_child_nodes(node):
            walk(child)

    walk(value)
    return found


def unmarked_constants(path: Path) -> list[str]:
    """`NAME: "text…"` for each unmarked text of the module's constants."""
    module = path.relative_to(ROOT).as_posix()
    problems = []
    for statement in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(statement, ast.Assign):
            targets, value = statement.targets, statement.value
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            targets, value = [statement.target], statement.value
        else:
            continue
        name = " = ".join(ast.unparse(target) for target in targets)
        if (module, name) in ALLOWED:
            continue
        problems += [
            f"{name}: {text[:60]!r}" for text in unmarked_strings(value) if has_words(text)
        ]
    return problems


def _cases() -> list:
    cases = []
    for path in texts_modules():
        module = path.relative_to(ROOT).as_posix()
        marks = []
        if module in NOT_CONVERTED_YET:
            marks.append(pytest.mark.xfail(strict=True, reason=NOT_CONVERTED_YET[module]))
        cases.append(pytest.param(path, id=module, marks=marks))
    return cases


@pytest.mark.parametrize("path", _cases())
def test_every_text_constant_is_marked_for_the_catalogs(path: Path) -> None:
    problems = unmarked_constants(path)
    assert problems == [], f"{path.name}: wrap these in _l(...) (bot.i18n):\n" + "\n".join(problems)


def test_the_expected_failures_name_existing_modules() -> None:
    modules = {path.relative_to(ROOT).as_posix() for path in texts_modules()}
    assert set(NOT_CONVERTED_YET) <= modules
    assert {module for module, _ in ALLOWED} <= modules


@pytest.mark.parametrize(
    ("source", "unmarked"),
    [
        ('TITLE = "Balances"', ["TITLE: 'Balances'"]),
        ('TITLE = _l("Balances")', []),
        ('TITLES = {"sms": "Texts", "mail": _l("Mail")}', ["TITLES: 'Texts'"]),
        ('PAIRS = [("/partner balance", "Balances now")]', ["PAIRS: 'Balances now'"]),
        ('LINE = "{product} · {amount}"', []),
        ('ICON = ":warning:"', []),
        ('NAME = "SMS Partner"', []),
        ('ERROR = N_("Too many digits.")', []),
        ('GREETING = f"Hello {name}"', ["GREETING: \"f'Hello {name}'\""]),
    ],
)
def test_what_counts_as_an_unmarked_text(source: str, unmarked: list[str]) -> None:
    statement = ast.parse(source).body[0]
    assert isinstance(statement, ast.Assign)
    name = ast.unparse(statement.targets[0])
    found = [
        f"{name}: {text[:60]!r}" for text in unmarked_strings(statement.value) if has_words(text)
    ]
    assert found == unmarked
