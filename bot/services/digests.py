"""Daily digests: subscriptions, claiming due runs exactly once, and what a digest says."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import delete, select, update

from bot.clock import utcnow
from bot.db.models import DigestSubscription
from bot.db.session import Database
from bot.partner.models import Account, Product, Subaccount
from bot.services import audit
from bot.services.alerts import AlertConfig, Alerts, Level
from bot.services.errors import NotConfigured
from bot.services.partner_access import PartnerAccess
from bot.services.requests import Requests, RequestSnapshot
from bot.services.schedule import DigestSchedule, SubscriptionSpec, covers_since
from bot.services.snapshots import Reading, Snapshots
from bot.services.trends import (
    Attention,
    Snapshot,
    change_since,
    daily_series,
    days_left,
    needing_attention,
    sparkline,
    spending_per_day,
)
from bot.side_by_side import all_or_none

CLAIM_LEASE = timedelta(minutes=5)
"""A worker that claimed a run and died frees it after this long."""

RECORDS_READ_AT_ONCE = 2
"""How many digests of a process read their records (`Digests._recorded`) at one time. A
round builds every workspace's digest at once, and those reads are over long before the
vendor's pages are in, one after the other or side by side. Side by side, twenty digests took
twenty connections: the pool keeps five on SQLite (ten on PostgreSQL), so it opened the rest
for the round (on SQLite each a thread of aiosqlite's and its PRAGMAs) and closed them after,
on the loop that was reading the round's pages. Two at a time: the round's CPU about a tenth
less and its wall 4–5% shorter, cold and warm (`bench digest`, docs/performance.md)."""


@dataclass(frozen=True, slots=True)
class Subscription:
    id: int
    team_id: str
    channel_id: str
    schedule: DigestSchedule
    products: tuple[Product, ...] | None
    created_by: str
    next_run_at: datetime
    last_posted_at: datetime | None
    failure: str | None
    failure_reported_at: datetime | None


@dataclass(frozen=True, slots=True)
class ProductDigest:
    product: Product
    account: Account | None
    failure: str | None
    change_since_last: Decimal | None
    change_7_days: Decimal | None
    sparkline: str
    days_left: Decimal | None
    attention: tuple[Attention, ...]
    subaccounts: tuple[Subaccount, ...]
    main_alert: tuple[Level, Decimal] | None = None
    """The main account below its warning (or critical) threshold, and that threshold."""

    @property
    def subaccount_total(self) -> Decimal:
        return sum((s.balance for s in self.subaccounts), Decimal(0))

    def email_of(self, token: str) -> str:
        return next((s.email for s in self.subaccounts if s.token == token), token)


@dataclass(frozen=True, slots=True)
class Digest:
    team_id: str
    generated_at: datetime
    since: datetime | None
    """What "since the previous digest" means here (None: a one-off digest, which compares
    with 24 hours ago)."""
    zone: str
    products: tuple[ProductDigest, ...]
    pending: tuple[RequestSnapshot, ...]
    late_by: timedelta | None = None


class Digests:
    def __init__(
        self,
        database: Database,
        partner: PartnerAccess,
        snapshots: Snapshots,
        alerts: Alerts,
        requests: Requests,
    ) -> None:
        self._database = database
        self._partner = partner
        self._snapshots = snapshots
        self._alerts = alerts
        self._requests = requests
        self._reading_records = asyncio.Semaphore(RECORDS_READ_AT_ONCE)

    # --- subscriptions ------------------------------------------------------------------------

    async def subscribe(
        self, team_id: str, channel_id: str, spec: SubscriptionSpec, actor_id: str
    ) -> Subscription:
        """Subscribe a channel (replacing its earlier subscription, if any)."""
        schedule = spec.schedule
        next_run = schedule.next_run(utcnow())
        async with self._database.session() as session:
            row = await session.scalar(
                select(DigestSubscription).where(
                    DigestSubscription.team_id == team_id,
                    DigestSubscription.channel_id == channel_id,
                )
            )
            if row is None:
                row = DigestSubscription(team_id=team_id, channel_id=channel_id)
                session.add(row)
            row.at_time = schedule.at.strftime("%H:%M")
            row.zone = schedule.zone
            row.weekdays = ",".join(str(d) for d in sorted(schedule.weekdays))
            row.products = ",".join(spec.products) if spec.products else None
            row.created_by, row.created_at = actor_id, utcnow()
            row.next_run_at = next_run
            row.claimed_by = row.claimed_until = row.failure = row.failure_reported_at = None
            await session.flush()
            await audit.record(
                session,
                team_id,
                "digest_subscribed",
                actor_id,
                channel=channel_id,
                schedule=schedule.describe(),
                products=row.products or "all",
            )
            return _subscription(row)

    async def unsubscribe(self, team_id: str, channel_id: str, actor_id: str) -> bool:
        async with self._database.session() as session:
            removed = (
                await session.execute(
                    delete(DigestSubscription).where(
                        DigestSubscription.team_id == team_id,
                        DigestSubscription.channel_id == channel_id,
                    )
                )
            ).rowcount or 0
            if removed:
                await audit.record(
                    session, team_id, "digest_unsubscribed", actor_id, channel=channel_id
                )
        return removed > 0

    async def forget_workspace(self, team_id: str) -> None:
        async with self._database.session() as session:
            await session.execute(
                delete(DigestSubscription).where(DigestSubscription.team_id == team_id)
            )

    async def subscriptions(self, team_id: str) -> list[Subscription]:
        async with self._database.session() as session:
            rows = await session.scalars(
                select(DigestSubscription)
                .where(DigestSubscription.team_id == team_id)
                .order_by(DigestSubscription.next_run_at)
            )
            return [_subscription(row) for row in rows.all()]

    async def subscribed_teams(self) -> list[str]:
        async with self._database.session() as session:
            rows = await session.scalars(select(DigestSubscription.team_id).distinct())
            return list(rows.all())

    # --- running --------------------------------------------------------------------------

    async def claim_due(self, worker_id: str, now: datetime | None = None) -> list[Subscription]:
        """Claim every due run not claimed by a live worker. Each claim is one conditional
        UPDATE, so of any number of workers exactly one gets each run. On PostgreSQL the
        candidates are read FOR UPDATE SKIP LOCKED, so workers do not queue on each other."""
        now = now or utcnow()
        claimable = (DigestSubscription.claimed_until.is_(None)) | (
            DigestSubscription.claimed_until < now
        )
        claimed: list[Subscription] = []
        async with self._database.session() as session:
            candidates = (
                await session.scalars(
                    select(DigestSubscription.id)
                    .where(DigestSubscription.next_run_at <= now, claimable)
                    .order_by(DigestSubscription.next_run_at)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            for subscription_id in candidates:
                won = (
                    await session.execute(
                        update(DigestSubscription)
                        .where(
                            DigestSubscription.id == subscription_id,
                            DigestSubscription.next_run_at <= now,
                            claimable,
                        )
                        .values(claimed_by=worker_id, claimed_until=now + CLAIM_LEASE)
                    )
                ).rowcount
                if won:
                    row = await session.get(DigestSubscription, subscription_id)
                    assert row is not None
                    claimed.append(_subscription(row))
        return claimed

    async def finish(
        self,
        subscription: Subscription,
        worker_id: str,
        *,
        posted: bool,
        failure: str | None = None,
        failure_reported: bool = False,
        now: datetime | None = None,
    ) -> None:
        """Release a claimed run and schedule the next one (after `now`, never in the past:
        runs missed while nothing was running are not replayed one by one)."""
        now = now or utcnow()
        values: dict[str, object] = {
            "claimed_by": None,
            "claimed_until": None,
            "last_run_at": subscription.next_run_at,
            "next_run_at": subscription.schedule.next_run(max(now, subscription.next_run_at)),
            "failure": failure,
        }
        if posted:
            values["last_posted_at"] = now
        if failure is None:
            values["failure_reported_at"] = None
        elif failure_reported:
            values["failure_reported_at"] = now
        async with self._database.session() as session:
            await session.execute(
                update(DigestSubscription)
                .where(
                    DigestSubscription.id == subscription.id,
                    DigestSubscription.claimed_by == worker_id,
                )
                .values(**values)
            )

    # --- content ------------------------------------------------------------------------------

    async def build(
        self,
        team_id: str,
        products: Sequence[Product] | None,
        *,
        zone: str,
        since: datetime | None,
        late_by: timedelta | None = None,
    ) -> Digest:
        # One read of the keys gives both the products set up and their clients. A digest
        # only shows and records balances: the keys may be the ones kept a few seconds.
        clients = await self._partner.clients(team_id, for_display=True)
        wanted = [p for p in (products or clients) if p in clients]
        if not wanted:
            raise NotConfigured(list(products or Product))
        now = utcnow()
        # What the digest reads from the database is read while the vendor is asked (a round
        # of digests waits on the vendor's latency; read after it, one after the other for
        # every workspace of the round, it was a tail on top), in one lane per digest: the
        # event loop takes turns between everything ready, and a vendor request needs a few
        # turns to leave, so a digest that readied four reads at once held back every other
        # digest's requests (30–40 ms before the first left, in a round of 20).
        # One side failing (or the digest given up) stops the others, rather than leave them
        # asking the vendor and recording for nobody.
        *readings, recorded = await all_or_none(
            *(self._snapshots.read(team_id, p, "digest", client=clients[p]) for p in wanted),
            self._recorded(team_id, wanted, now),
        )
        config, pending, past = recorded
        parts = tuple(
            product_digest(
                ProductFacts(reading, *past[reading.product]),
                config,
                zone=zone,
                since=since,
                now=now,
            )
            for reading in readings
        )
        return Digest(team_id, now, since, zone, parts, tuple(pending), late_by)

    async def _recorded(
        self, team_id: str, products: list[Product], now: datetime
    ) -> tuple[
        AlertConfig,
        list[RequestSnapshot],
        dict[Product, tuple[list[Snapshot], Snapshot | None]],
    ]:
        """The alert settings, the pending requests, and for each product its history
        (totals) and the reading of a day ago (every subaccount), one read after the other,
        in one session: a session each cost the event loop about 3 ms more a digest, on the
        one loop that reads the round's pages (docs/performance.md)."""
        window = now - timedelta(days=8)
        past = {}
        async with self._reading_records, self._database.session() as session:
            config = await self._alerts.config(team_id, session=session)  # every product's
            pending = await self._requests.pending(team_id, session=session)
            for product in products:
                history = await self._snapshots.history(team_id, product, window, session=session)
                yesterday = await self._snapshots.at_or_before(
                    team_id, product, now - timedelta(hours=24), since=window, session=session
                )
                past[product] = (history, yesterday)
        return config, pending, past


@dataclass(frozen=True, slots=True)
class ProductFacts:
    """What one product's digest is made of, read side by side (`Digests.build`)."""

    reading: Reading
    recorded: list[Snapshot]
    """The history as recorded when it was read: beside the reading, so with or without the
    reading's own row."""
    yesterday: Snapshot | None


def product_digest(
    facts: ProductFacts, config: AlertConfig, *, zone: str, since: datetime | None, now: datetime
) -> ProductDigest:
    reading = facts.reading
    if reading.account is None:
        assert reading.failure is not None
        return ProductDigest(
            reading.product, None, reading.failure.detail, None, None, "", None, (), ()
        )
    balance = reading.account.balance
    # Compared with what was known before this very reading; the trends end with it. (The
    # history was read beside the reading: whether it already holds its row is a race.)
    earlier = [s for s in facts.recorded if s.taken_at < reading.taken_at]
    history = [*earlier, reading.totals]
    now_read = reading.snapshot
    standing = config.main_level(reading.product, balance)
    return ProductDigest(
        product=reading.product,
        account=reading.account,
        failure=None,
        change_since_last=change_since(earlier, balance, since or now - timedelta(hours=24)),
        change_7_days=change_since(earlier, balance, now - timedelta(days=7)),
        sparkline=sparkline(daily_series(history, end=now, days=7, zone=zone)),
        days_left=days_left(now_read.total or balance, spending_per_day(history, now=now)),
        attention=tuple(
            needing_attention(
                now_read.subaccounts,
                yesterday=facts.yesterday,
                thresholds=config.per_subaccount(reading.product),
                default_threshold=config.default_for(reading.product),
            )
        ),
        subaccounts=tuple(sorted(reading.subaccounts, key=lambda s: s.email.lower())),
        main_alert=standing if standing and standing[0] is not Level.OK else None,
    )


def since_for(subscription: Subscription) -> datetime:
    """The previous scheduled run: a Monday digest of a Mon–Fri schedule covers the weekend."""
    return covers_since(subscription.schedule, subscription.next_run_at)


def _subscription(row: DigestSubscription) -> Subscription:
    hours, minutes = (int(part) for part in row.at_time.split(":"))
    return Subscription(
        id=row.id,
        team_id=row.team_id,
        channel_id=row.channel_id,
        schedule=DigestSchedule(
            at=time(hours, minutes),
            zone=row.zone,
            weekdays=frozenset(int(d) for d in row.weekdays.split(",")),
        ),
        products=tuple(Product(p) for p in row.products.split(",")) if row.products else None,
        created_by=row.created_by,
        next_run_at=row.next_run_at,
        last_posted_at=row.last_posted_at,
        failure=row.failure,
        failure_reported_at=row.failure_reported_at,
    )
