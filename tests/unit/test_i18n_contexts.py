"""One English word, several French ones: the context says which (bot.i18n.pgettext)."""

from __future__ import annotations

import pytest

from bot.i18n import language
from bot.slack.admin import change_texts
from bot.slack.admin import texts as admin_texts
from bot.slack.requests import texts as request_texts


@pytest.mark.parametrize(
    ("words", "key", "english", "french"),
    [
        (request_texts.STATE_WORDS, "rejected", "rejected", "refusée"),
        (request_texts.STATE_WORDS, "approved", "approved", "approuvée"),
        (request_texts.STATE_WORDS, "cancelled", "cancelled", "annulée"),
        (request_texts.STATE_WORDS, "expired", "expired", "expirée"),
        (change_texts.STATE_WORDS, "rejected", "rejected", "refusé"),
        (change_texts.STATE_WORDS, "expired", "expired", "expiré"),
        (admin_texts.ACTIONS, "approved", "approved", "a approuvé"),
        (admin_texts.ACTIONS, "rejected", "rejected", "a refusé"),
        (admin_texts.ACTIONS, "cancelled", "cancelled", "a annulé"),
    ],
)
def test_a_word_in_its_context(words: dict, key: str, english: str, french: str) -> None:
    assert str(words[key]) == english
    with language("fr"):
        assert str(words[key]) == french
