"""What carrying out an approved request costs the database, counted: the executor carries out
every approved request (Slack approvals, the alert top-up, sweeps, each recurring run), so a
statement added to it is paid by all of them. Each statement it makes has a reason (see
bot/services/requests/executing.py); one more is a re-read to question, not to accept."""

from __future__ import annotations

from decimal import Decimal

from bot.partner.models import Product
from bot.runtime import Runtime
from bot.services.requests import Action, Ask, Status
from devkit.sandbox import DEMO_SMS_KEY, Sandbox
from tests.database import statements_sent
from tests.services.request_world import APPROVER, REQUESTER, TEAM, People, pending_request

CARRIED_OUT_IN = 7
"""The request read with its approvers (1), its product's key (1) and its subaccount's freeze
and cap (1), both checked against another process's change before the money moves; then
approved → executing and executing → succeeded, each a conditional UPDATE returning the row
(2) with its audit entry (2)."""


async def test_an_approved_request_is_carried_out_in_seven_statements(
    runtime: Runtime, sandbox: Sandbox
) -> None:
    request = await pending_request(runtime, sandbox)
    approval = await runtime.requests.approve(request.number, TEAM, APPROVER, People())
    assert approval.complete and approval.request.status is Status.APPROVED
    adds = len(sandbox.calls(endpoint="/subaccount/credit/add"))

    with statements_sent(runtime.database) as statements:
        done = await runtime.requests.execute(request.id)

    assert done.status is Status.SUCCEEDED and done.approvers == (APPROVER,)
    assert len(sandbox.calls(endpoint="/subaccount/credit/add")) == adds + 1
    assert len(statements) <= CARRIED_OUT_IN, "\n".join(statements)


async def test_the_pending_requests_are_listed_in_a_few_statements_however_many(
    runtime: Runtime, sandbox: Sandbox
) -> None:
    # A digest and the home tab list them: read one by one, fifty pending were fifty-one
    # statements (their ids, then each with its approvers).
    subaccounts = sandbox.accounts[DEMO_SMS_KEY].subaccounts
    for n, sub in enumerate(subaccounts[:6]):
        ask = Ask(Action.CREDIT_ADD, Product.SMS, None, sub.token, Decimal(5 + n))
        await runtime.requests.request_credit(TEAM, REQUESTER, ask, People())

    with statements_sent(runtime.database) as statements:
        pending = await runtime.requests.store.pending(TEAM)

    assert len(pending) == 6
    assert [p.number for p in pending] == sorted((p.number for p in pending), reverse=True)
    assert pending == [await runtime.requests.get(p.id) for p in pending]  # as read one by one
    # The ids, then every request with its approvers (and the numbers of those they resemble).
    assert len(statements) <= 3, "\n".join(statements)
