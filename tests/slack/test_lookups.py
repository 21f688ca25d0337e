"""`/partner help`, `balance`, `subaccounts`, `subaccount`, over signed HTTP."""

from __future__ import annotations

import json

from bot.partner.models import Product
from devkit.sandbox import DEMO_SMS_KEY, Fault, FaultKind
from tests.slack.harness import MEMBER, Harness, click_next_page, reply_text


async def test_help_lists_every_subcommand(slack: Harness) -> None:
    post = await slack.ask("help")
    text = reply_text(post)
    assert post.body["response_type"] == "ephemeral"
    for usage in (
        "/partner balance",
        "subaccounts",
        "subaccount &lt;email|id|token&gt;",
        "/partner setup",
    ):
        assert usage in text


async def test_balance_of_every_product(slack: Harness) -> None:
    post = await slack.ask("balance")
    text = reply_text(post)
    assert post.body["response_type"] == "ephemeral"
    assert "€10,225.119" in text  # SMS demo balance, exact
    assert "269,082 messages" in text
    assert "Mail Partner" in text and "Voice Partner" in text
    assert "€19.00" in text


async def test_balance_of_one_product(slack: Harness) -> None:
    text = reply_text(await slack.ask("mail balance"))
    assert "Mail Partner" in text and "SMS Partner" not in text


async def test_a_product_down_spoils_no_other(slack: Harness) -> None:
    slack.sandbox.inject(Fault(FaultKind.HTML_PAGE, product=Product.SMS, times=None))
    text = reply_text(await slack.ask("balance"))
    assert "SMS Partner*: could not be read" in text
    assert "cannot be reached" in text
    assert "Mail Partner" in text


async def test_subaccounts_page_and_next(slack: Harness) -> None:
    delivery = await slack.command("subaccounts", user=MEMBER)
    first = await delivery.wait_response()
    text = reply_text(first)
    assert "45 subaccounts" in text and "Page 1 of 3" in text
    assert len(first.body["blocks"]) <= 50
    second = await click_next_page(slack, delivery, first)
    assert second.body.get("replace_original") is True
    assert "Page 2 of 3" in reply_text(second)


async def test_subaccount_keys_are_never_shown(slack: Harness) -> None:
    account = slack.sandbox.accounts[DEMO_SMS_KEY]
    sub = account.subaccounts[5]
    for ask in (
        "subaccounts",
        f"subaccount {sub.email}",
        f"subaccount {sub.id}",
        f"subaccount {sub.token}",
    ):
        await slack.ask(ask)
    sent = slack.outbound()
    assert sub.email in sent
    assert not any(s.api_key in sent for s in account.subaccounts)
    detail = json.dumps(slack.fake.responses[-1].body)
    assert sub.token in detail


async def test_long_names_are_cut_to_fit_block_kit(slack: Harness) -> None:
    from datetime import datetime
    from decimal import Decimal

    from devkit.sandbox import SandboxSubaccount

    account = slack.sandbox.accounts[DEMO_SMS_KEY]
    for n in range(30):
        account.subaccounts.append(
            SandboxSubaccount(
                id=1000 + n,
                email=f"{'x' * 3200}-{n}@long.example",
                type="simple",
                token=f"long-token-{n}",
                api_key=f"long-sub-key-{n:04d}",
                created_at=datetime(2025, 1, 1),
                balance=Decimal("1.000"),
            )
        )
    post = await slack.ask("subaccounts long.example")
    assert "30 subaccounts" in reply_text(post)
    assert slack.block_kit_violations() == []
    detail = await slack.ask("subaccount long-token-3")
    assert "…" in reply_text(detail)
