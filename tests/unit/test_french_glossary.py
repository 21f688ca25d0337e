"""Issue 19: the French catalog speaks one French, the one docs/glossary.md fixes: one word per
idea, the French apostrophe, `n°` held to its number, no English left in a French sentence, no
amount typed by hand (bot.i18n.formatting writes them), French command words in the commands a
French reader is told to type. Each rule lists what it forbids; the message says what to write.
"""

from __future__ import annotations

import re

import pytest
from babel.messages.catalog import Message

from bot.i18n.catalogs import read

# Not prose: code spans, Slack tokens, placeholders, links, emoji codes.
_NOT_PROSE = re.compile(
    r"`[^`\n]*`|<[^<>]*>|\{[^{}]*\}|https?://\S+|(?<![\w:]):[a-z0-9_+-]+:(?![\w:])"
)
_CODE = re.compile(r"`([^`\n]*)`")
# What a reader is told to type and Slack's tokens, for the rules on placeholders' neighbours.
_CODE_AND_TOKENS = re.compile(r"`[^`\n]*`|<[^<>]*>")

# idea → (the glossary's French, what a French msgstr must not say for it)
SYNONYMS: dict[str, tuple[str, str]] = {
    "digest": ("récapitulatif", r"\b[Rr]ésumés?\b"),
    "daily": ("quotidien", r"\b[Jj]ournali(?:er|ère|ers|ères)\b"),
    "approvals channel": ("canal des approbations", r"[Cc]anal d[’']approbation"),
    "alerts channel": ("canal des alertes", r"[Cc]anal d[’']alertes"),
    "admin": ("administrateur", r"\b[Aa]dmins?\b"),
    "DM": ("message privé", r"\bmessages? directs?\b"),
    "policy": ("règles d’approbation", r"\b[Pp]olitiques?\b"),
    "approval card": ("carte d’approbation", r"\b[Dd]emandes? d[’']approbation\b"),
    "decide": ("statuer", r"\btranch(?:er|é|ée|ées|ait)\b"),
    "money control": ("contrôle des fonds", r"contrôle de l[’']argent"),
    "no money moved": ("aucun mouvement de fonds", r"\bargent\b|\bfonds déplacés?\b"),
    "API key": ("clé API", r"\b[Cc]lés? d[’']API\b"),
    "workspace": ("espace de travail", r"\bl[’']espace\b(?! de travail)"),
    "dashboard": ("tableau de bord", r"\bespace client\b"),
    "app": ("application", r"\bapps?\b"),
    "setting": ("réglage", r"\bparamètres?\b"),
}

# English command words: a French reader is told the French ones (docs/glossary.md).
ENGLISH_COMMAND_WORDS = {
    "balance", "subaccounts", "subaccount", "credit", "add", "remove", "list", "requests",
    "approvals", "approvers", "admins", "approvals-channel", "policy", "audit", "export",
    "digest", "subscribe", "unsubscribe", "now", "preview", "alert", "main", "channel",
    "language", "here", "setup", "help", "auto-approve", "daily-cap", "two-approvers",
    "expiry", "requesters", "none", "everyone",
}  # fmt: skip
SAYS_THE_ENGLISH_WORDS_WORK = "The English command words work too"

RULES: list[tuple[str, str, str]] = [
    ("the French apostrophe ’, not '", r"'", "’"),
    ("a no-break space after n°", r"n°(?!\u00a0)", "n°\u00a0{id}"),
    ("a request is « n° 15 », not « #15 »", r"#(?=\d|\{)", "n°\u00a0{id}"),
    ("no English between French words", r"\b(?:of|the|and|with|by|from)\b", "sur, le, et…"),
    ("no « (s) » plural", r"\w\(s\)", "ngettext, or a wording without a number"),
    (
        "no amount typed by hand",
        r"\d[\d\u00a0\u202f .,]*\s?(?:€|EUR\b)|€\s?\d",
        "a {placeholder} formatted by bot.i18n.formatting.money",
    ),
    (
        "no « {days} derniers jours »: days may be 1",
        r"\{days\} derniers jours",
        "« sur la période ({days} j) »",
    ),
]


def _french() -> list[Message]:
    return [m for m in read("fr") if m.id]


def _forms(message: Message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def _english(message: Message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def _prose(text: str) -> str:
    return _NOT_PROSE.sub("\x00", text)


def _scope(rule: str, text: str) -> str:
    """Where a rule looks: typography everywhere, a placeholder's neighbours around it, the rest
    in prose only."""
    if rule.startswith(("the French apostrophe", "a no-break space")):
        return text
    if "{" in rule or "#15" in rule:
        return _CODE_AND_TOKENS.sub("\x00", text)
    return _prose(text)


def _commands(message: Message) -> list[str]:
    """What the French text tells the reader to type: its code spans, or the whole text for a
    usage line (`/partner …`)."""
    spans = []
    for form in _forms(message):
        spans += [form] if form.startswith("/partner") else _CODE.findall(form)
    return spans


def test_the_catalog_is_read() -> None:
    """The checks below see real French (an empty read would make them pass)."""
    french = {_english(m): _forms(m)[0] for m in _french()}
    assert french["Approvals channel"] == "Canal des approbations"
    assert len(french) > 500


@pytest.mark.parametrize("idea", sorted(SYNONYMS))
def test_one_french_word_per_idea(idea: str) -> None:
    term, forbidden = SYNONYMS[idea]
    pattern = re.compile(forbidden)
    found = [
        f"{_english(m)!r} → {form!r}"
        for m in _french()
        for form in _forms(m)
        if pattern.search(_prose(form))
    ]
    assert not found, f"{idea} is « {term} » in French (docs/glossary.md):\n" + "\n".join(found)


@pytest.mark.parametrize(("rule", "pattern", "instead"), RULES, ids=[r for r, _, _ in RULES])
def test_french_typography_and_wording(rule: str, pattern: str, instead: str) -> None:
    compiled = re.compile(pattern)
    found = [
        f"{_english(m)!r} → {form!r}"
        for m in _french()
        for form in _forms(m)
        if compiled.search(_scope(rule, form))
    ]
    assert not found, f"{rule} (write {instead}):\n" + "\n".join(found)


def test_a_french_reader_is_told_french_command_words() -> None:
    found = []
    for message in _french():
        if _english(message).startswith(SAYS_THE_ENGLISH_WORDS_WORK):
            continue
        for span in _commands(message):
            english = [w for w in re.split(r"[\s|\[\]]+", span) if w in ENGLISH_COMMAND_WORDS]
            if english:
                found.append(f"{span!r}: {english}")
    assert not found, "English command words in French text:\n" + "\n".join(found)


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("Voir le résumé", "digest"),
        ("un plafond journalier", "daily"),
        ("le canal d’approbation", "approvals channel"),
        ("un admin l’a fait", "admin"),
        ("en message direct", "DM"),
        ("la politique", "policy"),
        ("aucun argent", "no money moved"),
        ("les clés d’API", "API key"),
        ("de l’espace", "workspace"),
    ],
)
def test_each_synonym_rule_catches_its_word(text: str, rule: str) -> None:
    """The patterns are live: each catches the word it is for, in prose."""
    assert re.search(SYNONYMS[rule][1], _prose(text))


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("l'auteur", "the French apostrophe ’, not '"),
        ("demande n° 15", "a no-break space after n°"),
        ("*#{id}* · <#{channel}>", "a request is « n° 15 », not « #15 »"),
        ("1 of 1", "no English between French words"),
        ("approbation(s)", "no « (s) » plural"),
        ("plafonnés à 10 000 €", "no amount typed by hand"),
        ("jusqu’à 10\u202f000,00\u00a0€", "no amount typed by hand"),
        ("ces {days} derniers jours", "no « {days} derniers jours »: days may be 1"),
    ],
)
def test_each_rule_catches_what_it_forbids(text: str, rule: str) -> None:
    pattern = next(p for r, p, _ in RULES if r == rule)
    assert re.search(pattern, _scope(rule, text))


def test_prose_leaves_code_placeholders_and_slack_tokens_out() -> None:
    assert _prose("`/partner admins` <#{channel}> {admin} :admin:").strip("\x00 ") == ""
    assert not re.search(RULES[2][1], _scope(RULES[2][0], "dans <#{channel}>"))
