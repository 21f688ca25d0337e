"""What carrying out an approved request costs the database, counted: the executor carries out
every approved request (Slack approvals, the alert top-up, sweeps, each recurring run), so a
statement added to it is paid by all of them. Each statement it makes has a reason (see
bot/services/requests/executing.py); one more is a re-read to question, not to accept."""

from __future__ import annotations

from bot.runtime import Runtime
from bot.services.requests import Status
from devkit.sandbox import Sandbox
from tests.database import statements_sent
from tests.services.request_world import APPROVER, TEAM, People, pending_request

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
