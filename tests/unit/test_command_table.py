"""Issue 18: each `/partner` subcommand is one entry of one table (bot/slack/partner_command.py
`ENTRIES`). Adding one — a read-only one too — is that entry and its handler: these hold every
entry to what the rest of the app reads from it (the door, the guard, the refusal, the help).
"""

from __future__ import annotations

import pytest

from bot.slack.commands import CommandError, word
from bot.slack.partner_command import (
    ENTRIES,
    SUBCOMMANDS,
    Parsed,
    Subcommand,
    guests_may,
    read,
)
from bot.slack.texts import usage as usage_texts
from tests.unit.source_calls import qualified, reaches

ARGUMENTS = ("", "list", "preview", "acme 10", "<@U1>", "expiry 24")
"""Enough to reach every guests rule's reading and refusing sides."""


def _name(entry: Subcommand) -> str:
    return entry.english[0]


@pytest.mark.parametrize("entry", ENTRIES, ids=_name)
def test_every_entry_has_english_and_french_words(entry: Subcommand) -> None:
    assert entry.english and entry.french
    for typed in (*entry.english, *entry.french):
        assert SUBCOMMANDS[typed] is entry, f"{typed!r} belongs to another entry"


def test_no_word_is_two_entries() -> None:
    """As matched (accents off: `crédit` is `credit`, the same entry's)."""
    owners: dict[str, set[str]] = {}
    for entry in ENTRIES:
        for key in (*entry.english, *entry.french):
            owners.setdefault(word(key), set()).add(_name(entry))
    assert {key: names for key, names in owners.items() if len(names) > 1} == {}
    assert list(dict.fromkeys(SUBCOMMANDS.values())) == list(ENTRIES)


@pytest.mark.parametrize("entry", ENTRIES, ids=_name)
def test_every_word_reaches_its_entry(entry: Subcommand) -> None:
    for typed in (*entry.english, *entry.french):
        found = read(typed)
        # Parsed, or refused with this entry's usage line: either way, this entry.
        reached = found.subcommand.usage if isinstance(found, Parsed) else found.usage
        assert reached is entry.usage, typed


@pytest.mark.parametrize("entry", ENTRIES, ids=_name)
def test_every_entry_has_its_usage_line(entry: Subcommand) -> None:
    assert any(entry.usage is line for line in vars(usage_texts).values())


@pytest.mark.parametrize("entry", ENTRIES, ids=_name)
def test_guests_rules_say_the_same_in_every_word(entry: Subcommand) -> None:
    """What a guest may run does not depend on the language it is typed in."""
    for arguments in ARGUMENTS:
        answers = {
            typed: guests_may(read(f"{typed} {arguments}".strip()))
            for typed in (*entry.english, *entry.french)
        }
        assert len(set(answers.values())) == 1, (arguments, answers)


@pytest.mark.parametrize("entry", ENTRIES, ids=_name)
def test_a_guests_rule_reads_what_its_parser_makes(entry: Subcommand) -> None:
    """A rule that lets guests run some of the entry matches at least one parsed command: a
    rule naming verbs the parser never makes would refuse quietly."""
    parsed = [read(f"{entry.english[0]} {a}".strip()) for a in ARGUMENTS]
    made = [p.command for p in parsed if isinstance(p, Parsed)]
    if any(entry.guests(command) for command in made):
        return
    assert entry.guests.__name__ == "nothing" or not made, entry.english[0]


@pytest.mark.parametrize("entry", ENTRIES, ids=_name)
def test_opens_first_is_said_by_entries_whose_handler_opens_a_modal(entry: Subcommand) -> None:
    """The door checks the member after the ack unless the entry opens a modal first; a handler
    that opens one without saying so would wait on users.info with a 3 s trigger_id."""
    opens = reaches(qualified(entry.handle), "bot.slack.modals.open_loading")
    assert entry.opens_first is opens


def test_a_refusal_is_read_once_and_worded_when_read() -> None:
    from bot.i18n import language

    refused = read("approve three")
    assert isinstance(refused, CommandError)
    with language("fr"):
        french = refused.message
    assert refused.message != french and "three" in french


_SLACK_TOKEN_START = ("<@", "<#", "<!", "<http", "<mailto:")
"""What may follow `<` in mrkdwn Slack shows: a mention, a link. `<subaccount>` would be read as a
link and eaten; a refusal says it `&lt;subaccount&gt;`."""

_WRONG = ("", "x", "x y z", "1", "a@b.co", "a@b.co lots", "a@b.co 10 daily", "cancel x", "add")


@pytest.mark.parametrize("entry", ENTRIES, ids=_name)
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_refusal_shows_its_placeholders_escaped(entry: Subcommand, lang: str) -> None:
    from bot.i18n import language

    for arguments in _WRONG:
        refused = read(f"{entry.english[0]} {arguments}".strip())
        if not isinstance(refused, CommandError):
            continue
        with language(lang):
            said = str(refused.message)
        for at in (i for i, ch in enumerate(said) if ch == "<"):
            assert said.startswith(_SLACK_TOKEN_START, at), (entry.english[0], arguments, said)
