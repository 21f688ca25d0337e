"""Adds a frozen or capped subaccount refuses (bot.services.subaccount_controls), worded:
for the person asking, in their language; for the request's outcome note, in English like the
other notes the executing step writes."""

from __future__ import annotations

from decimal import Decimal

from bot.i18n import _
from bot.money import format_money
from bot.partner.models import Product, Subaccount
from bot.services.requests.errors import RequestRefused
from bot.services.subaccount_controls import AddRefusal, Blocked, SubaccountControls


async def refuse_blocked_add(
    controls: SubaccountControls,
    team_id: str,
    product: Product,
    subaccount: Subaccount,
    amount: Decimal,
) -> None:
    """Raise RequestRefused, with the reason, when `subaccount` may not take `amount`."""
    balance = subaccount.balance
    blocked = await controls.add_refusal(team_id, product, subaccount.token, balance, amount)
    if blocked is not None:
        shown = subaccount.email or subaccount.token
        raise RequestRefused(refused_at_ask(shown, blocked, balance, amount))


def refused_at_ask(subaccount: str, refusal: AddRefusal, balance: Decimal, amount: Decimal) -> str:
    if refusal.why is Blocked.FROZEN:
        return _(
            "{subaccount} is frozen: no credit can be added to it until it is unfrozen "
            "(`/partner unfreeze`, confirmed by a second approver)."
        ).format(subaccount=subaccount)
    assert refusal.cap is not None and refusal.room is not None
    return _(
        "{subaccount} has a cap of {cap} and holds {balance}: adding {amount} would go over "
        "it (room left {room})."
    ).format(
        subaccount=subaccount,
        cap=format_money(refusal.cap),
        balance=format_money(balance),
        amount=format_money(amount),
        room=format_money(refusal.room),
    )


def refused_at_call(refusal: AddRefusal) -> str:
    if refusal.why is Blocked.FROZEN:
        return "the subaccount is frozen: no credit may be added until it is unfrozen"
    assert refusal.cap is not None and refusal.room is not None
    return (
        f"the subaccount's cap is {format_money(refusal.cap)}: room left "
        f"{format_money(refusal.room)}"
    )
