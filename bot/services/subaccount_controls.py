"""Freeze and cap: what the app lets be added to one subaccount (issue 20, section 3).

A frozen subaccount takes no credit from the app at all; a capped one takes credit only up to
its cap. Both are checked where an add is asked (`Asking.request_credit`) and again just
before the vendor call (`Executing.execute`), so whatever goes through the request machinery
(a command, the alert top-up, the Home, a recurring or batch move) inherits them. Neither can
stop the vendor: an "advanced" subaccount may still buy credit itself from the vendor's site.

Freezing and setting a first or lower cap tighten control and apply at once; unfreezing,
raising or removing a cap loosen it and go through the settings changes
(bot.services.settings_changes, `Setting.SUBACCOUNT_FROZEN` / `SUBACCOUNT_CAP`): a second
person confirms them, and the confirmation writes them here (`write_change`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_DOWN, Decimal
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import utcnow
from bot.db.control_models import SubaccountControl
from bot.db.session import Database
from bot.partner.models import Product
from bot.services import audit

THOUSANDTH = Decimal("0.001")
"""The vendor's smallest amount: balances and moves have 3 decimals."""


@dataclass(frozen=True, slots=True)
class Control:
    team_id: str
    product: Product
    subaccount: str
    """The vendor's token."""
    email: str
    frozen_at: datetime | None = None
    frozen_by: str | None = None
    cap: Decimal | None = None
    cap_set_by: str | None = None

    @property
    def frozen(self) -> bool:
        return self.frozen_at is not None

    @property
    def subject(self) -> str:
        """How a settings change names this subaccount."""
        return subject_of(self.product, self.subaccount)


def subject_of(product: Product, token: str) -> str:
    return f"{product.value}:{token}"


def parse_subject(subject: str) -> tuple[Product, str]:
    product, _, token = subject.partition(":")
    return Product(product), token


# --- the pure rules ---------------------------------------------------------------------------


class Blocked(StrEnum):
    FROZEN = "frozen"
    OVER_CAP = "over_cap"


@dataclass(frozen=True, slots=True)
class AddRefusal:
    why: Blocked
    cap: Decimal | None = None
    room: Decimal | None = None
    """What may still be added under the cap (never negative)."""


def room_left(cap: Decimal, balance: Decimal) -> Decimal:
    """What the app may still add to a subaccount holding `balance` under `cap`."""
    return max(cap - balance, Decimal(0))


def add_refusal(control: Control | None, balance: Decimal, amount: Decimal) -> AddRefusal | None:
    """Why adding `amount` to a subaccount holding `balance` is refused, or None: frozen
    refuses everything; a cap refuses what would take the balance over it."""
    if control is None:
        return None
    if control.frozen:
        return AddRefusal(Blocked.FROZEN)
    if control.cap is not None and balance + amount > control.cap:
        return AddRefusal(Blocked.OVER_CAP, control.cap, room_left(control.cap, balance))
    return None


def plan_pass(
    balance: Decimal, keep: Decimal, spend_per_second: Decimal, headroom_seconds: Decimal
) -> Decimal | None:
    """How much one sweep pass asks to remove from a subaccount holding `balance` that must
    keep `keep` (0 for a freeze, the cap for an excess): all above `keep` but what it will
    spend while the removal is asked and made (the vendor refuses a removal larger than the
    balance at the moment of the call). None when nothing is left to remove, or all of it
    will be spent before the call."""
    margin = max(spend_per_second, Decimal(0)) * headroom_seconds
    amount = (balance - keep - margin).quantize(THOUSANDTH, rounding=ROUND_DOWN)
    return amount if amount >= THOUSANDTH else None


def spend_rate(
    before: Decimal, after: Decimal, seconds: float, moved_out: Decimal = Decimal(0)
) -> Decimal:
    """EUR a second spent between two readings `seconds` apart, what the app removed in
    between (`moved_out`) set aside. A rise (an outside top-up) counts as no spend."""
    if seconds <= 0:
        return Decimal(0)
    spent = before - moved_out - after
    return max(spent, Decimal(0)) / Decimal(repr(seconds))


# --- the state --------------------------------------------------------------------------------


class SubaccountControls:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def get(self, team_id: str, product: Product, token: str) -> Control | None:
        async with self._database.session() as session:
            row = await session.get(SubaccountControl, (team_id, product.value, token))
            return _control(row) if row is not None else None

    async def is_frozen(self, team_id: str, product: Product, token: str) -> bool:
        control = await self.get(team_id, product, token)
        return control is not None and control.frozen

    async def of_team(self, team_id: str, product: Product | None = None) -> list[Control]:
        """The workspace's frozen or capped subaccounts, by email."""
        query = select(SubaccountControl).where(
            SubaccountControl.team_id == team_id,
            (SubaccountControl.frozen_at.is_not(None)) | (SubaccountControl.cap.is_not(None)),
        )
        if product is not None:
            query = query.where(SubaccountControl.product == product.value)
        async with self._database.session() as session:
            rows = (await session.scalars(query.order_by(SubaccountControl.email))).all()
        return [_control(row) for row in rows]

    async def add_refusal(
        self, team_id: str, product: Product, token: str, balance: Decimal, amount: Decimal
    ) -> AddRefusal | None:
        return add_refusal(await self.get(team_id, product, token), balance, amount)

    async def freeze(
        self, team_id: str, product: Product, token: str, email: str, actor_id: str
    ) -> tuple[Control, bool]:
        """Mark the subaccount frozen (audited), before any money moves: an add asked while
        its balance is being swept is refused. True when this call froze it."""
        async with self._database.session() as session:
            row = await _row(session, team_id, product, token, email)
            now_frozen = row.frozen_at is None
            if now_frozen:
                row.frozen_at, row.frozen_by = utcnow(), actor_id
                await audit.record(
                    session,
                    team_id,
                    "subaccount_frozen",
                    actor_id,
                    product=product.value,
                    subaccount=email,
                )
            control = _control(row)
        return control, now_frozen

    async def set_cap(
        self,
        team_id: str,
        product: Product,
        token: str,
        email: str,
        cap: Decimal | None,
        actor: str,
    ) -> Control:
        """A cap that tightens (a first one, a lower one), written at once; the loosening ones
        are written by `write_change` once confirmed."""
        async with self._database.session() as session:
            row = await _row(session, team_id, product, token, email)
            await _write_cap(session, row, cap, actor)
            return _control(row)

    async def unfreeze(
        self, team_id: str, product: Product, token: str, email: str, actor: str
    ) -> Control:
        """At once: only when nobody could confirm and a workspace admin asked (see
        SettingsChanges.route); otherwise through a confirmed change (`write_change`)."""
        async with self._database.session() as session:
            row = await _row(session, team_id, product, token, email)
            await _write_unfrozen(session, row, actor)
            return _control(row)

    async def over_cap(
        self, team_id: str, product: Product, balances: dict[str, Decimal]
    ) -> list[tuple[Control, Decimal]]:
        """The capped subaccounts a reading (`balances` by token) finds over their cap for
        the first time since they were last under it: each is told once, by whichever worker
        takes its notice; those back under their cap may be told again later."""
        capped = [c for c in await self.of_team(team_id, product) if c.cap is not None]
        over = [(c, balances[c.subaccount]) for c in capped if c.subaccount in balances]
        under = [c.subaccount for c, balance in over if c.cap is not None and balance <= c.cap]
        await self.back_under_cap(team_id, product, under)
        return [
            (control, balance)
            for control, balance in over
            if control.cap is not None
            and balance > control.cap
            and await self.noticed_over_cap(team_id, product, control.subaccount)
        ]

    async def noticed_over_cap(self, team_id: str, product: Product, token: str) -> bool:
        """Take the one notice of a subaccount over its cap: True for the caller that took it
        (another reading, another worker, gets False)."""
        async with self._database.session() as session:
            row = await session.get(
                SubaccountControl, (team_id, product.value, token), with_for_update=True
            )
            if row is None or row.cap is None or row.over_cap_noticed_at is not None:
                return False
            row.over_cap_noticed_at = utcnow()
            return True

    async def back_under_cap(self, team_id: str, product: Product, tokens: list[str]) -> None:
        if not tokens:
            return
        async with self._database.session() as session:
            rows = await session.scalars(
                select(SubaccountControl).where(
                    SubaccountControl.team_id == team_id,
                    SubaccountControl.product == product.value,
                    SubaccountControl.subaccount.in_(tokens),
                    SubaccountControl.over_cap_noticed_at.is_not(None),
                )
            )
            for row in rows.all():
                row.over_cap_noticed_at = None


async def write_change(
    session: AsyncSession,
    team_id: str,
    subject: str,
    email: str,
    *,
    unfrozen: bool = False,
    cap: Decimal | None = None,
    actor: str,
) -> None:
    """A confirmed unfreeze (`unfrozen`) or cap change, in the confirming transaction."""
    product, token = parse_subject(subject)
    row = await _row(session, team_id, product, token, email)
    if unfrozen:
        await _write_unfrozen(session, row, actor)
    else:
        await _write_cap(session, row, cap, actor)


async def _row(
    session: AsyncSession, team_id: str, product: Product, token: str, email: str
) -> SubaccountControl:
    """The subaccount's row, made if need be and locked until commit: two clicks at once (on
    any number of processes) write one after the other, never over each other."""
    upsert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    await session.execute(
        upsert(SubaccountControl)
        .values(team_id=team_id, product=product.value, subaccount=token, email=email)
        .on_conflict_do_nothing()
    )
    row = await session.get(
        SubaccountControl,
        (team_id, product.value, token),
        with_for_update=True,
        populate_existing=True,
    )
    assert row is not None
    return row


async def _write_unfrozen(session: AsyncSession, row: SubaccountControl, actor: str) -> None:
    if row.frozen_at is None:
        return
    await audit.record(
        session,
        row.team_id,
        "subaccount_unfrozen",
        actor,
        product=row.product,
        subaccount=row.email,
        frozen_by=row.frozen_by,
    )
    row.frozen_at = row.frozen_by = None


async def _write_cap(
    session: AsyncSession, row: SubaccountControl, cap: Decimal | None, actor: str
) -> None:
    old = row.cap
    row.cap, row.cap_set_by, row.cap_set_at = cap, actor, utcnow()
    row.over_cap_noticed_at = None
    details = {"subaccount": row.email, "old": f"{old:f}" if old is not None else "none"}
    if cap is None:
        await audit.record(
            session, row.team_id, "subaccount_cap_removed", actor, product=row.product, **details
        )
    else:
        await audit.record(
            session,
            row.team_id,
            "subaccount_cap_set",
            actor,
            product=row.product,
            amount=cap,
            **details,
        )


def _control(row: SubaccountControl) -> Control:
    return Control(
        team_id=row.team_id,
        product=Product(row.product),
        subaccount=row.subaccount,
        email=row.email,
        frozen_at=row.frozen_at,
        frozen_by=row.frozen_by,
        cap=row.cap,
        cap_set_by=row.cap_set_by,
    )
