"""`/partner usage`: a month's usage statement, read from the spend ledger and the app's own
credit moves (the rules: bot.services.usage).

The ledger keeps raw readings 48 h and one reading a subaccount an hour for 36 days, so a month
can be stated whole from its first day until about the 5th of the next (bot.services.usage
.stated_until); after that it is refused, saying why, rather than stated from what is left. Readings
are streamed in time order, each fed to its subaccount's line: memory holds one line a
subaccount, not the month's readings.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from bot.clock import utcnow
from bot.db.anomaly_models import AnomalyTrack, LedgerHour, LedgerReading
from bot.db.session import Database
from bot.partner.models import Product
from bot.services.anomalies.ledger import HOURS_KEPT
from bot.services.errors import Ambiguous, NotFound
from bot.services.requests.store import RequestStore
from bot.services.suggestions import close_matches
from bot.services.usage import (
    LineBuilder,
    Move,
    Period,
    Point,
    ensure_kept,
    month_period,
    statement_csv,
)

OPENING_LOOKBACK = timedelta(days=1)
"""How far before the month its opening reading is looked for: readings stopped for longer
than this open the month at its first reading inside it."""
STREAMED = 200


@dataclass(frozen=True, slots=True)
class Statement:
    period: Period
    csv: str
    lines: int
    """Subaccount lines (the totals row apart); 0 when no reading falls in the month."""
    subaccount: str | None
    """The subaccount's email when the statement was narrowed to one."""


class UsageStatements:
    def __init__(self, database: Database) -> None:
        self._database = database
        self._requests = RequestStore(database)

    async def statement(
        self,
        team_id: str,
        month: date | None,
        zone: str,
        products: Sequence[Product],
        subaccount: str | None = None,
    ) -> Statement:
        """The month (None: the current one in `zone`) for `products`, all subaccounts or the
        one `subaccount` names (email, part of it, or token; NotFound with the closest names).
        A month not yet begun raises FutureMonth; one whose start the ledger no longer keeps,
        MonthNoLongerKept (a statement missing the month's first weeks would look whole)."""
        now = utcnow()
        period = month_period(month, zone, now)
        ensure_kept(period, now, HOURS_KEPT)
        names = await self._names(team_id, products)
        wanted = _pick(names, subaccount) if subaccount is not None else None
        lines = []
        for product in products:
            builders = await self._builders(team_id, product, period, names, wanted)
            await self._feed(team_id, product, period, builders, wanted)
            lines += [line for b in builders.values() if (line := b.line()) is not None]
        shown = names[wanted] if wanted is not None else None
        return Statement(period, statement_csv(lines), len(lines), shown)

    async def _names(self, team_id: str, products: Sequence[Product]) -> dict[str, str]:
        """Each subaccount the ledger knows (token → its last email)."""
        async with self._database.session() as session:
            rows = await session.execute(
                select(AnomalyTrack.subaccount, AnomalyTrack.email).where(
                    AnomalyTrack.team_id == team_id,
                    AnomalyTrack.product.in_([p.value for p in products]),
                )
            )
            return {token: email for token, email in rows}

    async def _builders(
        self,
        team_id: str,
        product: Product,
        period: Period,
        names: dict[str, str],
        wanted: str | None,
    ) -> dict[str, LineBuilder]:
        moves: defaultdict[str, list[Move]] = defaultdict(list)
        since = period.start - OPENING_LOOKBACK
        for token, at, amount in await self._requests.credit_moves(
            team_id, product, since, period.end
        ):
            moves[token].append(Move(at, amount))
        return _LazyBuilders(product, period, names, moves, wanted)

    async def _feed(
        self,
        team_id: str,
        product: Product,
        period: Period,
        builders: dict[str, LineBuilder],
        wanted: str | None,
    ) -> None:
        """Hourly readings before the raw ones start, then the raw ones, in time order."""
        since = period.start - OPENING_LOOKBACK
        mine = (LedgerReading.team_id == team_id, LedgerReading.product == product.value)
        async with self._database.session() as session:
            first_raw = await session.scalar(select(func.min(LedgerReading.taken_at)).where(*mine))
            hourly = select(LedgerHour.last_at, LedgerHour.balances).where(
                LedgerHour.team_id == team_id,
                LedgerHour.product == product.value,
                LedgerHour.last_at >= since,
                LedgerHour.last_at <= period.end,
            )
            if first_raw is not None:
                hourly = hourly.where(
                    LedgerHour.hour < first_raw.replace(minute=0, second=0, microsecond=0)
                )
            raw = select(LedgerReading.taken_at, LedgerReading.balances).where(
                *mine,
                LedgerReading.taken_at >= since,
                LedgerReading.taken_at <= period.end,
            )
            for query in (hourly.order_by(LedgerHour.hour), raw.order_by(LedgerReading.taken_at)):
                result = await session.stream(query.execution_options(yield_per=STREAMED))
                async for when, balances in result:
                    _feed_one(builders, when, balances, wanted)


def _feed_one(
    builders: dict[str, LineBuilder], when: datetime, balances: dict[str, Any], wanted: str | None
) -> None:
    if wanted is not None:
        if wanted in balances:
            builders[wanted].feed(Point(when, Decimal(balances[wanted][0])))
        return
    for token, (balance, _moved) in balances.items():
        builders[token].feed(Point(when, Decimal(balance)))


class _LazyBuilders(dict[str, LineBuilder]):
    """A line builder for each subaccount met in the readings, made when first met."""

    def __init__(
        self,
        product: Product,
        period: Period,
        names: dict[str, str],
        moves: dict[str, list[Move]],
        wanted: str | None,
    ) -> None:
        super().__init__()
        self._product, self._period, self._names, self._moves = product, period, names, moves
        if wanted is not None:
            self[wanted] = self.__missing__(wanted)

    def __missing__(self, token: str) -> LineBuilder:
        name = self._names.get(token, token)
        builder = LineBuilder(name, self._product.value, self._period, self._moves.get(token, ()))
        self[token] = builder
        return builder


def _pick(names: dict[str, str], ref: str) -> str:
    """The token of the one subaccount `ref` names: its token, its email (any case), or a part
    of the email only it has."""
    wanted = ref.strip()
    lowered = wanted.lower()
    if wanted in names:
        return wanted
    for exact in (
        [t for t, e in names.items() if e.lower() == lowered],
        [t for t, e in names.items() if lowered and lowered in e.lower()],
    ):
        if len(exact) == 1:
            return exact[0]
        if len(exact) > 1:
            raise Ambiguous("subaccount", wanted, sorted(names[t] for t in exact))
    raise NotFound("subaccount", wanted, close_matches(wanted, sorted(names.values()), limit=5))
