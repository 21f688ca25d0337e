"""Every modal title fits Slack's 24 characters in both languages, whole: never refused by
Slack, never cut mid-number (the French Reject title used to lose its number from #100 on)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from slack_sdk.models.views import View

from bot.i18n import LANGUAGES, language
from bot.partner.models import Product
from bot.slack.alerts import texts as alert_text
from bot.slack.alerts.views import topup_modal
from bot.slack.error_handler import ERROR_TITLE
from bot.slack.home import texts as home_text
from bot.slack.home.settings_edit import edit_modal
from bot.slack.requests import texts as request_text
from bot.slack.requests.forms import create_modal, reject_title
from bot.slack.setup import texts as setup_text
from bot.slack.setup.views import setup_done_view, setup_modal
from bot.slack.views.modal import MAX_TITLE, loading_view, message_view, modal_title, working_view

NUMBERS = [1, 9, 99, 100, 999, 1_000, 99_999, 10**6, 10**8, 10**9, 10**12, 10**15, 2**63 - 1]

# Each modal the app opens, built by the code that builds it, with the title it must show whole.
MODALS: dict[str, tuple[Callable[[], View], Callable[[], object]]] = {
    **{
        f"create {p.value}": (
            lambda p=p: create_modal(p),
            lambda p=p: request_text.CREATE_TITLE.format(product=p.label.split()[0]),
        )
        for p in Product
    },
    "setup": (lambda: setup_modal({}), lambda: setup_text.MODAL_TITLE),
    "setup loading": (
        lambda: loading_view(str(setup_text.MODAL_TITLE)),
        lambda: setup_text.MODAL_TITLE,
    ),
    "setup checking": (
        lambda: working_view(str(setup_text.CHECKING_TITLE), "x"),
        lambda: setup_text.CHECKING_TITLE,
    ),
    "setup waiting": (lambda: setup_done_view({}), lambda: setup_text.WAITING_TITLE),
    "setup done": (
        lambda: message_view(str(setup_text.DONE_TITLE), "ok"),
        lambda: setup_text.DONE_TITLE,
    ),
    "top-up": (lambda: topup_modal(Product.SMS, "t", "a@b.co"), lambda: alert_text.TOPUP_TITLE),
    **{
        f"edit {item}": (lambda item=item: edit_modal(item), lambda title=title: title)
        for item, title in home_text.EDIT_TITLES.items()
    },
    "error": (lambda: message_view(ERROR_TITLE, "x"), lambda: ERROR_TITLE),
}


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", MODALS)
def test_each_modal_title_fits_whole(lang: str, name: str) -> None:
    build, title = MODALS[name]
    with language(lang):
        shown = build().title.text
        assert shown == str(title()) and len(shown) <= MAX_TITLE, shown


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("number", NUMBERS)
def test_the_reject_title_fits_whole_for_any_number(lang: str, number: int) -> None:
    with language(lang):
        title = reject_title(number)
        whole = [
            request_text.REJECT_TITLE.format(id=number),
            request_text.REJECT_TITLE_SHORT.format(id=number),
            str(request_text.REJECT_TITLE_BARE),
        ]
        assert title in whole and len(title) <= MAX_TITLE, title
        if number < 10**9:  # any number a workspace will reach shows in the title
            assert str(number) in title
        for view in (loading_view(title), working_view(title, "x"), message_view(title, "x")):
            assert view.title.text == title


@pytest.mark.parametrize(
    ("choices", "title"),
    [
        (("Reject request #1", "Reject #1"), "Reject request #1"),
        (("Refuser la demande n° 100", "Refuser n° 100"), "Refuser n° 100"),
        (("x" * 30,), "x" * 23 + "…"),
    ],
)
def test_modal_title_takes_the_first_that_fits(choices: tuple[str, ...], title: str) -> None:
    assert modal_title(*choices) == title
