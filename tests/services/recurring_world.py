"""Recurring top-ups for the services' tests (tests.services.request_world's workspace): a
plan, a series proposed and approved, the owner's notices written down, the adds counted."""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal

from bot.clock import utcnow
from bot.partner.models import Product, Subaccount
from bot.runtime import Runtime
from bot.services.recurring.model import Plan, Series, SeriesState
from bot.services.recurring.notices import News, Told
from bot.services.recurring.schedule import Every, Frequency
from devkit.sandbox import DEMO_SMS_KEY, Sandbox, SandboxSubaccount
from tests.services.request_world import APPROVER, REQUESTER, TEAM, People

ADD = "/subaccount/credit/add"


def plan(ref: str, amount: str | None = "7", level: str | None = None, **kw: object) -> Plan:
    fields: dict[str, object] = {
        "product": Product.SMS,
        "ref": ref,
        "amount": Decimal(amount) if amount else None,
        "level": Decimal(level) if level else None,
        "frequency": Frequency(Every.DAILY),
        "at": time(6, 30),
        "zone": "UTC",
        "until": None,
        "reason": "nightly float",
    }
    fields.update(kw)
    return Plan(**fields)  # type: ignore[arg-type]


def topped_up(sandbox: Sandbox, index: int = 3) -> SandboxSubaccount:
    """The demo SMS subaccount a series tops up (`active_series`'s, unless told another)."""
    return sandbox.accounts[DEMO_SMS_KEY].subaccounts[index]


async def active_series(runtime: Runtime, sandbox: Sandbox, index: int = 3, **kw: object) -> Series:
    sub = topped_up(sandbox, index)
    series, channel = await runtime.recurring.propose(
        TEAM, REQUESTER, plan(sub.token, **kw), People()
    )
    assert channel == "C0APPR" and series.state is SeriesState.PENDING
    approved, complete = await runtime.recurring.approve(TEAM, series.number, APPROVER, People())
    assert complete and approved.state is SeriesState.ACTIVE
    return approved


class Owner:
    """RecurringNotices that writes down what the owner was told."""

    def __init__(self) -> None:
        self.news: list[tuple[int, News]] = []

    async def told(self, series: Series, news: News) -> None:
        self.news.append((series.number, news))

    def told_of(self, kind: Told) -> list[News]:
        return [news for _, news in self.news if news.told is kind]


def first_due(series: Series) -> datetime:
    return series.schedule().next_runs(utcnow(), 1)[0].due_at


def adds(sandbox: Sandbox) -> int:
    return len(sandbox.calls(endpoint=ADD))


def notices(owner: Owner):  # type: ignore[no-untyped-def]
    async def notices_for(team_id: str) -> Owner:
        return owner

    return notices_for


def reading(sub, balance: str):  # type: ignore[no-untyped-def]
    """A ledger reading of one subaccount, as the scheduler hands it on."""
    return [Subaccount(sub.id, sub.email, sub.type, sub.token, None, Decimal(balance), "EUR")]
