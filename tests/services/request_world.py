"""A workspace for the request service's own tests: its people, its policy (an approvals
channel, one approver), and requests put where a test needs them."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import update

from bot.db.models import CreditRequest
from bot.partner.models import Product
from bot.runtime import Runtime
from bot.services.directory import Standing
from bot.services.requests import Action, Ask, RequestSnapshot, Status
from devkit.sandbox import DEMO_SMS_KEY, Sandbox

TEAM = "T0SM"
REQUESTER, APPROVER, STRANGER, ADMIN = "UREQ", "UAPP", "UOTHER", "UADM"


class People:
    """The services' Directory, answered from a fixed list (what the Slack layer asks Slack)."""

    async def is_workspace_admin(self, user_id: str) -> bool:
        return user_id == ADMIN

    async def group_members(self, group_id: str) -> set[str]:
        return set()

    async def user_standing(self, user_id: str) -> Standing:
        return Standing.PERSON

    async def group_handle(self, group_id: str) -> str | None:
        return None


async def pending_request(runtime: Runtime, sandbox: Sandbox) -> RequestSnapshot:
    sub = sandbox.accounts[DEMO_SMS_KEY].subaccounts[3]
    submitted = await runtime.requests.request_credit(
        TEAM, REQUESTER, Ask(Action.CREDIT_ADD, Product.SMS, None, sub.token, Decimal(5)), People()
    )
    assert submitted.request.status is Status.PENDING
    return submitted.request


async def put_in(runtime: Runtime, request: RequestSnapshot, status: Status) -> None:
    """Test set-up only: place the request in `status` as if it had got there."""
    async with runtime.database.session() as session:
        await session.execute(
            update(CreditRequest).where(CreditRequest.id == request.id).values(status=status.value)
        )
