"""Bad input gets a clear ephemeral message, never silence, a trace or a ping."""

from __future__ import annotations

import pytest

from bot.partner.models import Product
from devkit.sandbox import DEMO_SMS_KEY, Fault, FaultKind
from tests.slack.harness import Harness, reply_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("balanse", "Did you mean `/partner balance`?"),
        ("subacounts", "Did you mean `/partner subaccounts`?"),
        ("fax balance", "`fax` is not a product"),
        ("subaccount", "Which subaccount?"),
        ("balance sms mail", "takes at most a product"),
        ("voice subaccounts", "Voice Partner has no subaccounts"),
        ("subaccount nobody-at-all@nowhere.example", "No subaccount matches"),
    ],
)
async def test_refusals_say_what_to_do(slack: Harness, text: str, expected: str) -> None:
    post = await slack.ask(text)
    assert post.body["response_type"] == "ephemeral"
    assert expected in reply_text(post)
    assert "Traceback" not in reply_text(post)


async def test_not_found_suggests_close_matches(slack: Harness) -> None:
    email = slack.sandbox.accounts[DEMO_SMS_KEY].subaccounts[0].email
    typo = email.replace("@", "@@", 1)
    text = reply_text(await slack.ask(f"subaccount {typo}"))
    assert "Did you mean" in text and email in text


async def test_ambiguous_names_are_listed(slack: Harness) -> None:
    text = reply_text(await slack.ask("subaccount .example"))
    assert "matches several subaccounts" in text


async def test_user_text_is_escaped_so_it_pings_nobody(slack: Harness) -> None:
    # Typed as picked mentions: Slack sends <!channel>; shown back as @channel, inert.
    for command in ("subaccounts <!channel> <@UADMIN>", "<!here> balance", "<!everyone>"):
        text = reply_text(await slack.ask(command))
        assert "<!" not in text and "<@" not in text
        assert "@\u2060" in text  # a word joiner after the @: shown as typed, linked by nobody


async def test_no_key_set_up_yet(slack_unconfigured: Harness) -> None:
    text = reply_text(await slack_unconfigured.ask("balance"))
    assert "No Partner API key is set up" in text and "/partner setup" in text
    text = reply_text(await slack_unconfigured.ask("mail subaccounts"))
    assert "Mail Partner is not set up" in text


@pytest.mark.parametrize("kind", [FaultKind.HTTP_500, FaultKind.INVALID_JSON, FaultKind.HTML_PAGE])
async def test_vendor_unreachable_or_garbled(slack: Harness, kind: FaultKind) -> None:
    slack.sandbox.inject(Fault(kind, product=Product.SMS, endpoint="/subaccount/list", times=None))
    text = reply_text(await slack.ask("subaccounts"))
    assert "SMS Partner cannot be reached right now" in text
    assert "Nothing was changed" in text


async def test_wrong_environment_key_shows_the_vendor_refusal(slack: Harness) -> None:
    slack.sandbox.accounts.pop(DEMO_SMS_KEY)  # the key no longer exists upstream
    text = reply_text(await slack.ask("sms subaccounts"))
    assert "SMS Partner refused" in text and "not valid" in text
