"""Issue 19's wording: amounts in messages written one way (the money formatter's), examples
of amounts that cannot read as thousands, and labels that say the rule the policy applies."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from bot.i18n import language
from bot.money import InvalidAmount, parse_user_amount
from bot.services.policy import MAX_AMOUNTS, Policy, RequestFacts, decide_route
from bot.slack.admin.views import policy_reply
from bot.slack.home import texts as home_text

# What each refusal offers as an example, and what that example must read as.
EXAMPLES = [
    ("1,2345", "0,125", Decimal("0.125")),
    ("12.5001", "0,125", Decimal("0.125")),
]


@pytest.mark.parametrize(("typed", "example", "value"), EXAMPLES)
@pytest.mark.parametrize("code", ["en", "fr"])
def test_the_example_of_three_decimals_cannot_read_as_thousands(
    typed: str, example: str, value: Decimal, code: str
) -> None:
    with language(code), pytest.raises(InvalidAmount) as refused:
        parse_user_amount(typed)
    with language(code):
        said = str(refused.value)
    assert example in said and "12,345" not in said
    # Typed back, the example is what it shows: a fraction of a euro, never thousands.
    assert parse_user_amount(example) == value < 1


@pytest.mark.parametrize(
    ("code", "auto_approve", "daily_cap"),
    [
        ("en", "€10,000.00", "€100,000.00"),
        ("fr", "10\u202f000,00\u00a0€", "100\u202f000,00\u00a0€"),
    ],
)
def test_the_policy_ceilings_are_written_by_the_money_formatter(
    code: str, auto_approve: str, daily_cap: str
) -> None:
    assert MAX_AMOUNTS["auto_approve_limit"] == Decimal(10_000)
    with language(code):
        shown = json.dumps(policy_reply(Policy(), approvers=0).as_kwargs(), ensure_ascii=False)
    assert auto_approve in shown and daily_cap in shown, shown
    assert "EUR" not in shown


def test_the_two_approver_label_says_above_as_the_rule_does() -> None:
    with language("en"):
        label = str(home_text.POLICY_SETTINGS["two-approvers"])
    assert label == "Two approvers above (amount)"
    policy = Policy(auto_approve_limit=Decimal(0), two_approver_threshold=Decimal(100))
    at = decide_route(policy, RequestFacts(True, False, Decimal(100)))
    above = decide_route(policy, RequestFacts(True, False, Decimal("100.001")))
    assert (at.approvers, above.approvers) == (1, 2)
