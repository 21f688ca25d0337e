"""The daily auto-approve cap holds whatever arrives at once, and the route a request takes is
the policy as it stands when the request is recorded, not when it was first read.

(Across two `python -m bot serve` processes: tests/slack/test_processes.py.)
"""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from bot.db.models import CreditRequest
from bot.services.policy import change_policy
from bot.services.requests import Status
from devkit.sandbox import DEMO_SMS_KEY, Fault, FaultKind
from tests.slack.approvals import APPROVALS, a_subaccount, card_of, set_up_approvals
from tests.slack.barriers import app_settled
from tests.slack.harness import ADMIN, MEMBER, Harness, reply_text

CAPPED = {"auto_approve_limit": Decimal(50), "daily_auto_approve_cap": Decimal(100)}


async def auto_approved_total(h: Harness) -> Decimal:
    async with h.runtime.database.session() as session:
        total = await session.scalar(
            select(func.sum(CreditRequest.amount)).where(
                CreditRequest.team_id == h.team_id, CreditRequest.auto_approved.is_(True)
            )
        )
    return total if total is not None else Decimal(0)


async def test_twenty_moves_at_once_never_auto_approve_past_the_cap(slack: Harness) -> None:
    """Each move is within the limit; together they are eight times the cap. The first two fit
    (80 of 100); every other one goes to the approvers, as it would one after another."""
    await set_up_approvals(slack, **CAPPED)
    emails = [a_subaccount(slack, n).email for n in range(20)]
    deliveries = await asyncio.gather(*(slack.command(f"credit add {e} 40") for e in emails))
    replies = [reply_text(await d.wait_response(timeout=60)) for d in deliveries]

    ran = [r for r in replies if "auto-approved" in r]
    sent = [r for r in replies if "sent to <#C0APPROVALS>" in r]
    assert (len(ran), len(sent)) == (2, 18), replies
    await app_settled(slack, within=30)
    assert await auto_approved_total(slack) == Decimal(80)
    assert len(slack.sandbox.calls(endpoint="/subaccount/credit/add")) == 2
    waiting = await slack.runtime.requests.pending(slack.team_id)
    assert len(waiting) == 18
    for request in waiting:  # not lost: each waits on its card for an approver
        assert request.status is Status.PENDING and not request.auto_approved
        assert request.approvals_needed == 1
        assert (await card_of(slack, request.id)).channel == APPROVALS


async def test_over_the_cap_with_nobody_to_approve_is_refused_and_leaves_nothing(
    slack: Harness,
) -> None:
    """No approvals channel yet: what fits runs, the rest is refused as it would be one at a
    time, and a refused request leaves no row and uses no number."""
    await change_policy(slack.runtime.database, slack.team_id, ADMIN, **CAPPED)
    emails = [a_subaccount(slack, n).email for n in range(6)]
    deliveries = await asyncio.gather(*(slack.command(f"credit add {e} 40") for e in emails))
    replies = [reply_text(await d.wait_response(timeout=60)) for d in deliveries]

    assert sum("auto-approved" in r for r in replies) == 2, replies
    assert sum("No approvals channel yet" in r for r in replies) == 4, replies
    await app_settled(slack, within=30)
    made = await slack.runtime.requests.of_requester(slack.team_id, MEMBER)
    assert sorted(r.number for r in made) == [1, 2]
    assert all(r.auto_approved and r.status is Status.SUCCEEDED for r in made)
    assert len(slack.sandbox.calls(endpoint="/subaccount/credit/add")) == 2


async def test_a_failed_auto_approved_move_gives_its_share_of_the_cap_back(
    slack: Harness,
) -> None:
    """The vendor refused the first move: it moved nothing, so it does not count."""
    await set_up_approvals(slack, **CAPPED)
    slack.sandbox.inject(Fault(FaultKind.HTTP_429, endpoint="/subaccount/credit/add"))
    failed = reply_text(await slack.ask(f"credit add {a_subaccount(slack, 0).email} 40"))
    assert "auto-approved" in failed
    [first] = await slack.runtime.requests.of_requester(slack.team_id, MEMBER, limit=1)
    assert first.status is Status.FAILED and first.auto_approved

    for n in (1, 2):  # 80 of 100 still free
        ran = reply_text(await slack.ask(f"credit add {a_subaccount(slack, n).email} 40"))
        assert "auto-approved" in ran and "Done" in ran
    over = reply_text(await slack.ask(f"credit add {a_subaccount(slack, 3).email} 40"))
    assert "sent to <#C0APPROVALS>" in over
    assert len(slack.sandbox.calls(endpoint="/subaccount/credit/add")) == 3


@pytest.mark.parametrize(
    ("tightened", "approvers"),
    [
        ({"auto_approve_limit": Decimal(0)}, 1),
        ({"two_approver_threshold": Decimal(20)}, 2),
    ],
    ids=["auto-approve-off", "two-approvers-lowered"],
)
async def test_a_policy_tightened_while_the_request_reads_the_vendor_applies_to_it(
    slack: Harness, tightened: dict[str, Decimal], approvers: int
) -> None:
    """The route read before the vendor's balances is not the one recorded: the policy is read
    again in the transaction that records the request."""
    await set_up_approvals(slack, auto_approve_limit=Decimal(50))
    read = asyncio.Event()
    slack.sandbox.inject(Fault(FaultKind.LATENCY, endpoint="/subaccount/list", until=read))
    delivery = await slack.command(f"credit add {a_subaccount(slack).email} 30")
    await slack.sandbox.wait_in_flight(DEMO_SMS_KEY)  # the request is reading the balances
    await change_policy(slack.runtime.database, slack.team_id, ADMIN, **tightened)
    read.set()

    assert "sent to <#C0APPROVALS>" in reply_text(await delivery.wait_response(timeout=15))
    [request] = await slack.runtime.requests.pending(slack.team_id)
    assert not request.auto_approved and request.approvals_needed == approvers
    await app_settled(slack)
    assert slack.sandbox.calls(endpoint="/subaccount/credit/add") == []
