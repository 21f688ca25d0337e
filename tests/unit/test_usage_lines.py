"""Issue 19: a refusal says its reason and the ONE usage line of the subcommand that refused
(from the command table), never the whole help. Every entry of the table has its usage line,
in English and in French, naming one of its own words."""

from __future__ import annotations

import pytest

from bot.i18n import language
from bot.i18n.catalogs import read
from bot.slack import partner_command as table
from bot.slack.commands import CommandError
from bot.slack.lookups.help_views import usage_reply
from bot.slack.partner_command import SUBCOMMANDS, Subcommand, parse
from bot.slack.texts import help as help_texts

ENTRIES: list[Subcommand] = list(dict.fromkeys(SUBCOMMANDS.values()))


def _words_of(entry: Subcommand) -> list[str]:
    return [key for key, value in SUBCOMMANDS.items() if value is entry]


def _msgid(entry: Subcommand) -> str:
    return entry.usage._args[0]  # type: ignore[attr-defined]  # bot.i18n._l's LazyProxy


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda entry: _words_of(entry)[0])
def test_every_entry_has_a_usage_line_in_both_languages(entry: Subcommand) -> None:
    french = read("fr")
    message = french.get(_msgid(entry))
    assert message is not None and message.string, "translate it in the French catalog"
    for code in ("en", "fr"):
        with language(code):
            line = str(entry.usage)
        assert line.startswith("/partner ")
        # It names the command it is the usage of (in that language's words or the English).
        assert any(word in line for word in _words_of(entry)), (code, line)


REFUSED_BY = [
    ("balance sms mail", table.BALANCE),
    ("subaccount", table.SUBACCOUNT),
    ("subaccount delete", table.SUBACCOUNT_DELETE),
    ("credit", table.CREDIT),
    ("credit add a@b.co 1.000", table.CREDIT_ADD),
    ("credit add a@b.co 12 50", table.CREDIT_ADD),
    ("crédit retirer a@b.co", table.CREDIT_REMOVE),
    ("lot mars", table.BATCH),
    ("approve three", table.APPROVE),
    ("recurring add a@b.co 7 hourly", table.RECURRING),
    ("auto-topup a@b.co 5", table.AUTO_TOPUP),
    ("reject 3", table.REJECT),
    ("approvers promote <@U1>", table.APPROVERS),
    ("admins add bob", table.ADMINS),
    ("policy two-approvers lots", table.POLICY),
    ("politique expiry 1000h", table.POLICY),
    ("audit 9999", table.AUDIT),
    ("digest list now", table.DIGEST),
    ("alert main 100 500", table.ALERT),
    ("language klingon", table.LANGUAGE),
    ("anomaly floor beaucoup", table.ANOMALY),
    ("usage 2026-13", table.USAGE),
    ("consommation 2026-11 a b", table.USAGE),
    ("freeze", table.FREEZE),
    ("dégeler a b", table.UNFREEZE),
    ("plafond a@b.co beaucoup", table.CAP),
]

NEVER_REFUSED = [
    table.HELP,
    table.SETUP,
    table.SUBACCOUNTS,
    table.SUBACCOUNT_CREATE,
    table.APPROVALS,
    table.REQUESTS,
    table.APPROVALS_CHANNEL,
]
"""Entries whose parser takes anything: no bad value, so no refusal to show their usage."""


@pytest.mark.parametrize(("typed", "entry"), REFUSED_BY, ids=[t for t, _ in REFUSED_BY])
@pytest.mark.parametrize("code", ["en", "fr"])
def test_a_bad_value_shows_its_own_usage_line_and_not_the_help(
    typed: str, entry: Subcommand, code: str
) -> None:
    with pytest.raises(CommandError) as refused:
        parse(typed)
    assert refused.value.usage is entry.usage
    with language(code):
        reason = refused.value.message
        reply = usage_reply(reason, str(refused.value.usage))
        title, usage_line = str(help_texts.TITLE), str(entry.usage)
        pointer = "`/partner help`" if code == "en" else "`/partner aide`"
        # Only its own line: no other entry's (help's is the pointer, checked above).
        others = {str(e.usage) for e in ENTRIES if e is not table.HELP} - {usage_line}
    said = reply.text
    assert said.startswith(reason)
    assert usage_line.split("<")[0].strip() in said  # escaped: <amount> is &lt;amount&gt;
    assert pointer in said
    assert title not in said and len(said.splitlines()) <= 4
    hints = said[len(reason) :]  # a reason may name another command
    assert not any(f"`{escaped(other)}`" in hints for other in others)


def escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def test_every_entry_that_can_refuse_is_tried_above() -> None:
    tried = {id(entry) for _, entry in REFUSED_BY} | {id(entry) for entry in NEVER_REFUSED}
    untried = [_words_of(e)[0] for e in ENTRIES if id(e) not in tried]
    assert untried == []


@pytest.mark.parametrize("entry", NEVER_REFUSED, ids=lambda entry: _words_of(entry)[0])
def test_the_entries_said_to_take_anything_do(entry: Subcommand) -> None:
    entry.parse(None, ["anything", "at", "all", "1.000"])


def test_an_unknown_word_gets_the_reason_the_suggestion_and_the_pointer_only() -> None:
    with pytest.raises(CommandError) as refused:
        parse("balanse")
    assert refused.value.usage is None
    reply = usage_reply(refused.value.message, None)
    assert reply.text == (
        "I don't know `balanse`. Did you mean `/partner balance`?\n"
        "`/partner help` lists every command."
    )
    assert str(help_texts.TITLE) not in reply.text
