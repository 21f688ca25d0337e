"""Did you mean: a slip of the keyboard is suggested; a word that merely shares letters is not."""

from __future__ import annotations

import pytest

from bot.services.suggestions import close_matches, edit_distance

SUBCOMMAND_WORDS = [
    "balance",
    "subaccounts",
    "subaccount",
    "credit",
    "approvals",
    "approvers",
    "approbateurs",
    "approbations",
    "policy",
    "politique",
    "audit",
    "help",
    "digest",
    "alert",
    "setup",
    "requests",
    "demandes",
    "solde",
    "langue",
]
EMAILS = [f"acme-{name}@acme.example" for name in ("ops", "lille", "lyon", "newsletter")] + [
    "client07@example.com",
    "ops_team@bigco.fr",
]


@pytest.mark.parametrize(
    ("typed", "candidates", "expected"),
    [
        ("balanse", SUBCOMMAND_WORDS, ["balance"]),  # one substitution
        ("subacounts", SUBCOMMAND_WORDS, ["subaccounts", "subaccount"]),  # nearest first
        ("aprovals", SUBCOMMAND_WORDS, ["approvals"]),
        ("polciy", SUBCOMMAND_WORDS, ["policy"]),  # two neighbours swapped
        ("HELP", SUBCOMMAND_WORDS, ["help"]),  # case aside (exact is not this module's job)
        ("frobnicate", SUBCOMMAND_WORDS, []),  # shares letters with approbateurs only
        ("xyz", SUBCOMMAND_WORDS, []),
        ("", SUBCOMMAND_WORDS, []),
        ("acme-opps@acme.example", EMAILS, ["acme-ops@acme.example"]),
        ("acme-lile@acme.example", EMAILS, ["acme-lille@acme.example"]),
        ("client70@example.com", EMAILS, ["client07@example.com"]),
        ("nobody@nowhere.example", EMAILS, []),  # same domain suffix is not closeness
        ("someone@acme.example", EMAILS, []),
        ("ops-team@bigco.fr", EMAILS, ["ops_team@bigco.fr"]),
    ],
)
def test_close_matches(typed: str, candidates: list[str], expected: list[str]) -> None:
    assert close_matches(typed, candidates, limit=5) == expected


def test_nearest_first_and_limited() -> None:
    words = ["approvers", "approvals", "approval"]
    assert close_matches("approvals", words, limit=2) == ["approvals", "approval"]
    assert close_matches("approvals", words, limit=1) == ["approvals"]


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        ("", "", 0),
        ("abc", "abc", 0),
        ("abc", "abd", 1),
        ("abc", "acb", 1),  # a swap is one edit
        ("abc", "ab", 1),
        ("kitten", "sitting", 3),
        ("a", "abcdef", 3),  # beyond the bound: bound + 1
    ],
)
def test_edit_distance(a: str, b: str, distance: int) -> None:
    assert edit_distance(a, b, bound=2) == min(distance, 3)


def test_thousands_of_names_stay_fast_enough_to_answer_a_command() -> None:
    names = [f"client{i:04d}@example.com" for i in range(5000)]
    assert close_matches("client0042@exmple.com", names) == ["client0042@example.com"]
