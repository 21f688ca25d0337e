"""Vendor refusals come in French (API.md): English readers get an English explanation keyed
by the vendor's code, French readers a French one; the vendor's own words are quoted as sent."""

from __future__ import annotations

import pytest

from bot.i18n import language
from bot.partner.errors import Endpoint, PartnerError
from bot.partner.models import Product
from bot.services.errors import NotAllowed
from bot.slack.errors import user_message


@pytest.mark.parametrize(
    ("endpoint", "code", "vendor", "en", "fr"),
    [
        (
            Endpoint.ME,
            10,
            "Clef API incorrecte",
            ":warning: SMS Partner refused: The API key is not valid for this product. "
            "(the vendor said: “Clef API incorrecte”, code 10)",
            ":warning: SMS Partner a refusé\u00a0: La clé API n’est pas valide pour ce produit. "
            "(réponse du fournisseur\u00a0: «\u00a0Clef API incorrecte\u00a0», code 10)",
        ),
        (
            Endpoint.CREDIT_ADD,
            8,
            "Crédit insuffisant",
            "There is not enough credit to move this amount.",
            "Il n’y a pas assez de crédit pour déplacer ce montant.",
        ),
        (
            Endpoint.SUBACCOUNT_CREATE,
            7,
            None,
            "An account already exists with this email address.",
            "Un compte existe déjà avec cette adresse e-mail.",
        ),
        (
            Endpoint.ME,
            999,
            None,
            "The vendor refused the request.",
            "Le fournisseur a refusé la requête.",
        ),
    ],
)
def test_vendor_refusals_in_each_language(
    endpoint: Endpoint, code: int, vendor: str | None, en: str, fr: str
) -> None:
    error = PartnerError(Product.SMS, endpoint, code, vendor)
    assert en in (user_message(error) or "")
    with language("fr"):
        assert fr in (user_message(error) or "")
    # Logs and exceptions stay in English whatever the reader's language.
    assert en.split("(the vendor")[0].split("refused: ")[-1].strip() in str(error)


def test_not_allowed_in_each_language() -> None:
    from bot.slack.language import texts as text

    error = NotAllowed(str(text.CHANGE), str(text.ADMINS))
    assert (user_message(error) or "").startswith(":no_entry: Only Partner Ops admins")
    with language("fr"):
        error = NotAllowed(str(text.CHANGE), str(text.ADMINS))
        assert user_message(error) == (
            ":no_entry: Seuls les administrateurs de Partner Ops (administrateurs et propriétaires "
            "de l’espace de travail, et les personnes qu’ils ont ajoutées) peuvent changer la "
            "langue des canaux de l’espace de travail."
        )
