"""Money decisions read the vendor fresh, even right after a cached display read."""

from __future__ import annotations

from decimal import Decimal

from bot.partner.models import Product
from bot.services.requests import Status
from tests.slack.approvals import (
    APPROVERS,
    a_subaccount,
    card_of,
    click,
    latest_request,
    set_up_approvals,
    sms_account,
)
from tests.slack.harness import Harness, reply_text
from tests.slack.test_approvals import settled


async def test_an_approval_reads_the_balance_fresh_after_a_cached_display_read(
    slack: Harness,
) -> None:
    await set_up_approvals(slack)
    sub = a_subaccount(slack)
    await slack.ask(f"credit add {sub.email} 50 top-up")
    request = await latest_request(slack)
    shown = reply_text(await slack.ask("balance sms"))
    assert "10,225.119" in shown
    me_before = len(slack.sandbox.calls(product=Product.SMS, endpoint="/me"))
    # Money left the main account elsewhere, within the display cache's few seconds.
    sms_account(slack).balance = Decimal("10.000")
    assert "10,225.119" in reply_text(await slack.ask("balance sms"))  # display: cached

    await click(slack, APPROVERS[0], "request_approve", await card_of(slack, request.id))
    await settled(slack, request.id)
    done = await slack.runtime.requests.get(request.id)
    assert done.status is Status.FAILED
    assert done.main_balance_before is None  # refused before any vendor call
    assert len(slack.sandbox.calls(product=Product.SMS, endpoint="/me")) == me_before + 1
    assert not slack.sandbox.calls(endpoint="/subaccount/credit/add")
    assert sub.balance == a_subaccount(slack).balance
