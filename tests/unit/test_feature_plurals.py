"""Counts in digests, alerts and subaccount lists take the language's plural: French says
"1 sous-compte" and "0 jour", English "1 subaccount" and "0 days"."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.i18n import language
from bot.slack.alerts import texts as alerts
from bot.slack.digests import texts as digests
from bot.slack.lookups import subaccount_texts as lookups

PLURALS: list[tuple[Callable[[int], str], int, str, str]] = [
    (digests.and_more, 1, " and 1 more", " et 1 autre"),
    (digests.and_more, 6, " and 6 more", " et 6 autres"),
    (digests.days_left, 0, "≈ 0 days at", "≈ 0 jour restant au"),
    (digests.days_left, 1, "≈ 1 day at", "≈ 1 jour restant au"),
    (digests.days_left, 12, "≈ 12 days at", "≈ 12 jours restants au"),
    (digests.totals, 1, "1 subaccount ·", "1 sous-compte ·"),
    (digests.totals, 45, "45 subaccounts ·", "45 sous-comptes ·"),
    (digests.pending, 2, "*2 waiting for approval:*", "*2 en attente d’approbation\u00a0:*"),
    (alerts.summary, 1, "1 subaccount is below its", "1 sous-compte est sous son"),
    (alerts.summary, 4, "4 subaccounts are below their", "4 sous-comptes sont sous leur"),
    (alerts.summary_more, 3, "… and 3 more", "… et 3 autres"),
    (alerts.summary_fallback, 5, "5 SMS subaccounts below", "5 sous-comptes SMS sous"),
    (lookups.list_summary, 1, "1 subaccount · €2.00 in all", "1 sous-compte · €2.00 au total"),
    (lookups.list_summary_filtered, 2, "2 subaccounts matching", "2 sous-comptes correspondant"),
]


@pytest.mark.parametrize(("plural", "n", "english", "french"), PLURALS)
def test_plural_forms(plural: Callable[[int], str], n: int, english: str, french: str) -> None:
    values = {
        "count": str(n),
        "days": str(n),
        "total": "€2.00",
        "items": "#1",
        "product": "SMS",
        "search": "x",
    }
    with language("en"):
        assert english in plural(n).format(**values)
    with language("fr"):
        assert french in plural(n).format(**values)
