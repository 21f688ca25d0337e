"""Every error code the vendor documents (shared/partner-api/API.md, transcribed below by
endpoint) has a meaning, an English explanation and a French one in the catalogs: the vendor's
own message is French, and an English reader must not be left with it alone."""

from __future__ import annotations

import pytest

from bot.i18n import language, translations
from bot.partner.errors import Endpoint, PartnerError, Reason, documented_codes, explain
from bot.partner.models import Product
from bot.slack.errors import user_message

R = Reason
CREDIT_ENDPOINTS = (Endpoint.CREDIT_ADD, Endpoint.CREDIT_REMOVE)

# (endpoint, code, what API.md says it means, the reason it maps to)
DOCUMENTED: list[tuple[Endpoint, int, str, Reason]] = [
    (Endpoint.ME, 10, "invalid API key", R.INVALID_API_KEY),
    (Endpoint.SUBACCOUNT_LIST, 1, "API key required", R.MISSING_API_KEY),
    (Endpoint.SUBACCOUNT_LIST, 10, "invalid API key", R.INVALID_API_KEY),
    (Endpoint.SUBACCOUNT_CREATE, 1, "API key required", R.MISSING_API_KEY),
    (Endpoint.SUBACCOUNT_CREATE, 2, "not authorized (subaccounts not activated)", R.NOT_AUTHORIZED),
    (Endpoint.SUBACCOUNT_CREATE, 3, "isBuyer required", R.MISSING_FIELD),
    (Endpoint.SUBACCOUNT_CREATE, 4, "type required", R.MISSING_FIELD),
    (Endpoint.SUBACCOUNT_CREATE, 5, "type does not exist", R.INVALID_FIELD),
    (Endpoint.SUBACCOUNT_CREATE, 6, "email required", R.MISSING_FIELD),
    (Endpoint.SUBACCOUNT_CREATE, 7, "an account already exists with this email", R.DUPLICATE_EMAIL),
    (Endpoint.SUBACCOUNT_CREATE, 8, "creditToAttribute must be greater than 0", R.INVALID_FIELD),
    (Endpoint.SUBACCOUNT_CREATE, 9, "balance must be greater than 0", R.INSUFFICIENT_CREDIT),
    (Endpoint.SUBACCOUNT_CREATE, 10, "invalid API key", R.INVALID_API_KEY),
    *[
        (endpoint, code, meaning, reason)
        for endpoint in (Endpoint.SUBACCOUNT_DELETE, Endpoint.SUBACCOUNT_REMOVE)
        for code, meaning, reason in [
            (1, "token required", R.MISSING_FIELD),
            (10, "API key required/invalid", R.INVALID_API_KEY),
            (404, "subaccount does not exist", R.UNKNOWN_SUBACCOUNT),
        ]
    ],
    *[
        (endpoint, code, meaning, reason)
        for endpoint in CREDIT_ENDPOINTS
        for code, meaning, reason in [
            (1, "API key required", R.MISSING_API_KEY),
            (2, "credit required", R.MISSING_FIELD),
            (3, "subaccount identifier required", R.MISSING_FIELD),
            (4, "not authorized", R.NOT_AUTHORIZED),
            (5, "credit must be greater than 0", R.INVALID_FIELD),
            (6, "balance must be greater than 0 / subaccount not found", R.UNKNOWN_SUBACCOUNT),
            (7, "subaccount does not exist / insufficient subaccount credit", R.UNKNOWN_SUBACCOUNT),
            (8, "insufficient credit", R.INSUFFICIENT_CREDIT),
            (9, "invalid API key (one page)", R.INVALID_API_KEY),
            (10, "invalid API key", R.INVALID_API_KEY),
            # The global error page's numbers, for any endpoint.
            (11, "insufficient credit", R.INSUFFICIENT_CREDIT),
            (20, "account disabled", R.ACCOUNT_DISABLED),
            (30, "account blocked", R.ACCOUNT_BLOCKED),
            (40, "API access refused", R.API_ACCESS_REFUSED),
            (96, "IP not allowed", R.IP_NOT_ALLOWED),
        ]
    ],
]


@pytest.mark.parametrize(
    ("endpoint", "code", "meaning", "reason"),
    DOCUMENTED,
    ids=[f"{endpoint.value}-{code}" for endpoint, code, _, _ in DOCUMENTED],
)
def test_each_documented_code_is_explained_in_both_languages(
    endpoint: Endpoint, code: int, meaning: str, reason: Reason
) -> None:
    found, english = explain(endpoint, code)
    assert found is reason, meaning
    french = translations("fr").gettext(english)
    assert english.strip() and french.strip()
    assert french != english, f"no French for {english!r} ({meaning})"
    # And the reader sees it: in English, then in French, with the vendor's words quoted.
    error = PartnerError(Product.SMS, endpoint, code, "Message du fournisseur")
    assert english in (user_message(error) or "")
    with language("fr"):
        shown = user_message(error) or ""
    assert french in shown and "Message du fournisseur" in shown


def test_every_code_known_per_endpoint_is_in_the_table() -> None:
    """A code added to bot/partner/errors.py gets its line above (and its French)."""
    listed: dict[Endpoint, set[int]] = {}
    for endpoint, code, _, _ in DOCUMENTED:
        listed.setdefault(endpoint, set()).add(code)
    for endpoint in listed:
        unlisted = documented_codes(endpoint) - listed[endpoint]
        # The global page's codes not documented for an endpoint's own page still resolve.
        for code in unlisted:
            found, english = explain(endpoint, code)
            assert found is not R.UNKNOWN and translations("fr").gettext(english) != english


def test_an_unknown_code_is_explained_in_both_languages() -> None:
    found, english = explain(Endpoint.ME, 999)
    assert found is R.UNKNOWN
    assert translations("fr").gettext(english) == "Le fournisseur a refusé la requête."
