"""Issue 19: every French command word a French user would try means what its English word
means, typed with or without its accents, in any case. One line per French form; each is also
tried with its accents off, decomposed, and its first word in capitals (matched in one place:
bot.slack.commands.word)."""

from __future__ import annotations

import re
import unicodedata

import pytest

from bot.i18n import language
from bot.slack.commands import CommandError, word
from bot.slack.partner_command import guests_may, parse_command, read
from bot.slack.texts import help as help_text

# (French, English): both must parse to the same command.
SAME_COMMAND = [
    ("aide", "help"),
    ("configurer", "setup"),
    ("solde", "balance"),
    ("soldes mail", "balance mail"),
    ("sous-comptes acme", "subaccounts acme"),
    ("sous-compte client@example.com", "subaccount client@example.com"),
    ("sous-compte créer", "subaccount create"),
    ("mail sous-compte créer", "mail subaccount create"),
    ("sous-compte supprimer a@b.co parti", "subaccount delete a@b.co parti"),
    ("crédit ajouter a@b.co 12,50 recharge", "credit add a@b.co 12,50 recharge"),
    ("crédit retirer a@b.co 1 000,50 €", "credit remove a@b.co 1 000,50 €"),
    ("demandes", "requests"),
    ("approbations", "approvals"),
    ("approbateurs", "approvers"),
    ("approbateurs liste", "approvers list"),
    ("approbateur ajouter <@U1>", "approvers add <@U1>"),
    ("administrateur retirer <@U2>", "admins remove <@U2>"),
    ("règle expiration 24h", "policy expiry 24h"),
    ("approbateurs lister", "approvers list"),
    ("approbateurs ajouter <@U1>", "approvers add <@U1>"),
    ("approbateurs retirer <!subteam^S1|@finance>", "approvers remove <!subteam^S1|@finance>"),
    ("approbateurs enlever <@U1>", "approvers remove <@U1>"),
    ("administrateurs liste", "admins list"),
    ("administrateurs ajouter <@U2>", "admins add <@U2>"),
    ("admins retirer <@U2>", "admins remove <@U2>"),
    ("canal-approbations", "approvals-channel"),
    ("canal-des-approbations", "approvals-channel"),
    ("règles", "policy"),
    ("politique", "policy"),
    ("règles approbation-auto 50", "policy auto-approve 50"),
    ("règles approbation-auto aucun", "policy auto-approve none"),
    ("règles approbation-automatique 50", "policy auto-approve 50"),
    ("règles plafond-quotidien 200", "policy daily-cap 200"),
    ("règles plafond-quotidien aucun", "policy daily-cap none"),
    ("politique plafond-auto aucun", "policy daily-cap none"),
    ("règles plafond-journalier aucune", "policy daily-cap none"),
    ("règles deux-approbateurs 1 000", "policy two-approvers 1 000"),
    ("règles deux-approbateurs sans", "policy two-approvers none"),
    ("règles expiration 24h", "policy expiry 24h"),
    ("règles délai 48", "policy expiry 48"),
    ("règles demandeurs tous", "policy requesters everyone"),
    ("règles demandeurs tout-le-monde", "policy requesters everyone"),
    ("règles demandeurs <!subteam^S9|@ventes>", "policy requesters <!subteam^S9|@ventes>"),
    ("journal", "audit"),
    ("journal 30j", "audit 30d"),
    ("journal exporter", "audit export"),
    ("journal exporter 30", "audit export 30"),
    ("récapitulatif abonner 08:30 Europe/Paris", "digest subscribe 08:30 Europe/Paris"),
    ("récapitulatif désabonner", "digest unsubscribe"),
    ("récapitulatif liste", "digest list"),
    ("récapitulatif maintenant", "digest now"),
    ("récapitulatif aperçu", "digest preview"),
    ("récap maintenant", "digest now"),
    ("résumé maintenant", "digest now"),
    ("alerte principal 500 100", "alert main 500 100"),
    ("alertes sous-comptes 10", "alerts subaccounts 10"),
    ("alerte sous-compte a@b.co 5", "alert subaccount a@b.co 5"),
    ("alerte canal", "alert channel"),
    ("alerte liste", "alert list"),
    ("langue français ici", "language fr here"),
    ("langue anglais", "language en"),
]


def _without_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _forms(french: str) -> list[str]:
    """As written, accents off, accents as a keyboard may send them (decomposed), the first
    word in capitals (what follows may be an argument, whose case is kept)."""
    first, _, rest = french.partition(" ")
    capitals = " ".join(filter(None, [first.upper(), rest]))
    return list(
        dict.fromkeys(
            [french, _without_accents(french), unicodedata.normalize("NFD", french), capitals]
        )
    )


CASES = [(form, english) for french, english in SAME_COMMAND for form in _forms(french)]


@pytest.mark.parametrize(("french", "english"), CASES, ids=[f for f, _ in CASES])
def test_a_french_word_means_what_the_english_one_means(french: str, english: str) -> None:
    assert parse_command(french) == parse_command(english)


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("créer", "creer"),
        ("CRÉER", "creer"),
        ("cre\u0301er", "creer"),
        ("Désabonner", "desabonner"),
        ("aperçu", "apercu"),
        ("règles", "regles"),
        ("délai", "delai"),
        ("s’abonner", "s'abonner"),
        ("add", "add"),
    ],
)
def test_a_command_word_is_matched_without_case_or_accents(typed: str, key: str) -> None:
    assert word(typed) == key


def _outcome(text: str) -> object:
    try:
        return parse_command(text)
    except CommandError as refused:
        return refused.message  # worded in English here: the same usage for the same command


def _commands(usage: str) -> list[str]:
    """The command words of a help usage line, each `a|b` spelled out, placeholders dropped:
    `/partner [product] alert channel | alert list` → `alert channel`, `alert list`."""
    # Placeholders are `<…>` and `[…]`, possibly of several words (`[setting value]`).
    bare = re.sub(r"\[[^\]]*\]|<[^>]*>", " ", usage.removeprefix("/partner "))
    segments = [segment.split() for segment in bare.split(" | ")]
    commands = []
    for words in segments:
        if words is not segments[0] and len(words) == 1:
            words = [segments[0][0], *words]  # `digest unsubscribe | list`: the verb of `digest`
        alternatives = [w.split("|") for w in words]
        for index in range(max(len(a) for a in alternatives)):
            commands.append(" ".join(a[min(index, len(a) - 1)] for a in alternatives))
    return commands


@pytest.mark.parametrize("line", range(len(help_text.USAGE)))
def test_each_french_usage_line_names_commands_that_work(line: int) -> None:
    """What French help tells a reader to type means what the English help says."""
    usage = help_text.USAGE[line][0]
    english = _commands(str(usage))
    with language("fr"):
        french = _commands(str(usage))
    assert len(french) == len(english) and french != english
    for fr, en in zip(french, english, strict=True):
        assert _outcome(fr) == _outcome(en), (fr, en)


@pytest.mark.parametrize(
    ("french", "english"),
    [
        ("approbateurs liste", "approvers list"),
        ("approbateurs ajouter <@U1>", "approvers add <@U1>"),
        ("administrateurs liste", "admins list"),
        ("règles", "policy"),
        ("règles approbation-auto 50", "policy auto-approve 50"),
        ("recapitulatif apercu", "digest preview"),
        ("récapitulatif maintenant", "digest now"),
        ("alerte liste", "alert list"),
        ("alerte canal", "alert channel"),
    ],
)
def test_a_guest_may_run_in_french_what_it_may_run_in_english(french: str, english: str) -> None:
    assert guests_may(read(french)) == guests_may(read(english))
