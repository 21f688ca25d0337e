"""Partner Ops' own tables. Times are naive UTC (see bot.clock)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column

from bot.clock import utcnow
from bot.db.base import Base
from bot.db.types import Money


class WorkspacePartnerKey(Base):
    """A workspace's API key for one Partner product, encrypted at rest (Fernet)."""

    __tablename__ = "workspace_partner_keys"
    __table_args__ = (UniqueConstraint("team_id", "product"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    product: Mapped[str] = mapped_column(String(8))
    encrypted_key: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(8))
    """The key's last 4 characters: all that is ever shown of it."""
    set_by: Mapped[str | None] = mapped_column(String(32))
    set_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class HandledSlackRequest(Base):
    """Slack deliveries already taken, so a retry (or a second process) does not act twice.

    The primary key is the delivery's identity (event_id, or the trigger_id of a command or
    an interaction); inserting it is the claim, and a duplicate key means "already handled".
    """

    __tablename__ = "handled_slack_requests"

    delivery_key: Mapped[str] = mapped_column(String(255), primary_key=True)
    handled_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)


class Turn(Base):
    """The last turn reserved for a key (a channel, for posts), shared by every process
    (bot.services.turns): seconds since the epoch."""

    __tablename__ = "turns"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    turn_at: Mapped[float] = mapped_column(Float, nullable=False)


class WorkspacePolicy(Base):
    """How a workspace's requests are decided. One row per workspace, made on first change."""

    __tablename__ = "workspace_policies"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    auto_approve_limit: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    daily_auto_approve_cap: Mapped[Decimal | None] = mapped_column(Money)
    two_approver_threshold: Mapped[Decimal | None] = mapped_column(Money)
    expiry_hours: Mapped[int] = mapped_column(Integer, default=24)
    approvals_channel_id: Mapped[str | None] = mapped_column(String(32))
    requesters_usergroup_id: Mapped[str | None] = mapped_column(String(32))
    requesters_usergroup_label: Mapped[str | None] = mapped_column(String(255))
    requesters_set_by: Mapped[str | None] = mapped_column(String(32))
    requesters_lockout_told_at: Mapped[datetime | None] = mapped_column(DateTime)
    """When the admins were told that nobody can ask (the group emptied or deleted); cleared
    when the rule changes or somebody may ask again, so a new lock-out is told again."""
    remind_hours: Mapped[int | None] = mapped_column(Integer)
    """Remind the approvers of a request still waiting after this long, and again each time
    as long passes; None: never."""
    escalate_hours: Mapped[int | None] = mapped_column(Integer)
    """Tell the admins of a request still waiting after this long, once; None: never."""
    updated_by: Mapped[str | None] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class RoleGrant(Base):
    """A user (or, for approvers, a Slack user group) given a role by an admin."""

    __tablename__ = "workspace_roles"
    __table_args__ = (UniqueConstraint("team_id", "role", "subject_kind", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    role: Mapped[str] = mapped_column(String(16))
    subject_kind: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[str] = mapped_column(String(32))
    subject_label: Mapped[str | None] = mapped_column(String(255))
    """A group's handle when it was granted ("finance"), to show it as @finance."""
    granted_by: Mapped[str] = mapped_column(String(32))
    granted_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class CreditRequest(Base):
    """A request to move money or change subaccounts, and everything that happened to it.

    `status` only ever changes through one conditional UPDATE per transition (see
    bot.services.requests), which is what makes every decision and the vendor call happen once.
    """

    __tablename__ = "credit_requests"
    # A Slack view (a form) makes at most one request, however often it is submitted.
    __table_args__ = (
        UniqueConstraint("team_id", "origin_key", name="uq_credit_requests_origin_key"),
        UniqueConstraint("team_id", "number", name="uq_credit_requests_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    """Internal only (keys, the worker): global across workspaces, so never shown in Slack."""
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    number: Mapped[int] = mapped_column(Integer)
    """The request's number in its workspace (1, 2, 3…): what people see (`#12`) and what
    Slack payloads carry, so no workspace learns how many requests the others made."""
    product: Mapped[str] = mapped_column(String(8))
    action: Mapped[str] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(16), index=True)
    requester_id: Mapped[str] = mapped_column(String(32), index=True)
    subaccount_token: Mapped[str | None] = mapped_column(String(255))
    subaccount_email: Mapped[str | None] = mapped_column(String(320))
    subaccount_id: Mapped[int | None] = mapped_column(BigInteger)
    amount: Mapped[Decimal | None] = mapped_column(Money)
    reason: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    approvals_needed: Mapped[int] = mapped_column(Integer, default=1)
    auto_approved: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    executing_since: Mapped[datetime | None] = mapped_column(DateTime)
    decided_by: Mapped[str | None] = mapped_column(String(32))
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    outcome_note: Mapped[str | None] = mapped_column(Text)
    main_balance_before: Mapped[Decimal | None] = mapped_column(Money)
    subaccount_balance_before: Mapped[Decimal | None] = mapped_column(Money)
    main_balance_after: Mapped[Decimal | None] = mapped_column(Money)
    subaccount_balance_after: Mapped[Decimal | None] = mapped_column(Money)
    created_token: Mapped[str | None] = mapped_column(String(255))
    card_channel_id: Mapped[str | None] = mapped_column(String(32))
    """Set with `card_ts` once the card is posted; alone, where a post with no known outcome
    went (its requester was told it may not be there)."""
    card_ts: Mapped[str | None] = mapped_column(String(32))
    card_claimed_at: Mapped[datetime | None] = mapped_column(DateTime)
    """When a process took the posting of the card (one conditional UPDATE: one taker). Never
    taken: nobody posted it (a crash after the insert); taken long ago with no card: the post
    was cut short, its outcome unknown (see bot.services.requests.cards)."""
    told_status: Mapped[str | None] = mapped_column(String(16))
    """The last status whose telling (the card redrawn, the requester's DM) a process took:
    one conditional UPDATE, one teller; a settled status not yet told after a while is told by
    maintenance (see bot.services.requests.telling)."""
    origin_key: Mapped[str | None] = mapped_column(String(128))
    """What in Slack made the request (`view:<id>` for a form), so a repeat makes no other."""
    similar_to: Mapped[int | None] = mapped_column(Integer)
    """An earlier request just like this one, which the requester confirmed they meant to repeat."""
    key_id: Mapped[str | None] = mapped_column(String(16))
    """The Partner key the request was made with (bot.partner.keys.key_id, never the key): it
    runs with that key or not at all, as another key may be another vendor account."""
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime)
    """When its approvers were last reminded it waits (bot.services.requests.reminders): set
    once delivered, by the process holding `nudging_until`."""
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime)
    """When the admins were told it still waits: once, claimed like `reminded_at`."""
    nudging_until: Mapped[datetime | None] = mapped_column(DateTime)
    """A process is sending its reminder or escalation until then (a lease): `reminded_at` /
    `escalated_at` are set once it was delivered, so one a killed process left is sent again
    when the lease runs out."""


class RequestNumbering(Base):
    """The last request number given out in a workspace. Taking the next one is an upsert on
    this row in the transaction that inserts the request: the row lock (PostgreSQL) or the
    writer lock (SQLite) makes concurrent requests wait their turn, so numbers are distinct,
    consecutive, and not used up by a request that is rolled back."""

    __tablename__ = "request_numbering"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)


class SettingChange(Base):
    """A change of a setting that loosens money control, waiting for an approver to confirm it.

    Like a request, `status` only changes through one conditional UPDATE (see
    bot.services.settings_changes), so of any number of clicks exactly one decides it.
    """

    __tablename__ = "setting_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    setting: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str | None] = mapped_column(String(400))
    """Whom or what it is about: a user id (roles), a product (keys), `product:token|email`
    (a subaccount's freeze or cap); None for the policy."""
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    encrypted_secret: Mapped[str | None] = mapped_column(Text)
    """A replacement Partner key, encrypted like saved keys; never shown, only its fingerprint."""
    status: Mapped[str] = mapped_column(String(16), index=True)
    requested_by: Mapped[str] = mapped_column(String(32))
    decided_by: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    card_channel_id: Mapped[str | None] = mapped_column(String(32))
    card_ts: Mapped[str | None] = mapped_column(String(32))
    card_claimed_at: Mapped[datetime | None] = mapped_column(DateTime)
    """When a process took the posting of the card, as for requests (`CreditRequest`)."""
    told_status: Mapped[str | None] = mapped_column(String(16))
    """The decided status whose telling (the card redrawn, the announcement, the asker's DM) a
    process took: one conditional UPDATE, one teller; maintenance tells what stays untold."""


class RequestApproval(Base):
    """One approver's approval of one request (at most one each: the unique key says so)."""

    __tablename__ = "request_approvals"
    __table_args__ = (UniqueConstraint("request_id", "approver_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("credit_requests.id"), index=True)
    approver_id: Mapped[str] = mapped_column(String(32))
    approved_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class AuditEntry(Base):
    """Append-only: rows are inserted, never updated or deleted (the database refuses both)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor_id: Mapped[str | None] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(40))
    request_id: Mapped[int | None] = mapped_column(Integer, index=True)
    """The request's internal id; people are shown `request_number`."""
    product: Mapped[str | None] = mapped_column(String(8))
    amount: Mapped[Decimal | None] = mapped_column(Money)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Read with the entry, never stored: old entries (made before requests had numbers) show
    # the number too, and the append-only table is never rewritten.
    request_number: Mapped[int | None] = column_property(
        select(CreditRequest.number)
        .where(CreditRequest.id == request_id, CreditRequest.team_id == team_id)
        .correlate_except(CreditRequest)
        .scalar_subquery()
    )


class BalanceSnapshot(Base):
    """A product's balances at one moment: the main account and every subaccount.

    Subaccount balances are a JSON object token → amount text, so one row is one reading.
    """

    __tablename__ = "balance_snapshots"
    __table_args__ = (
        Index("ix_balance_snapshots_team_product_at", "team_id", "product", "taken_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    product: Mapped[str] = mapped_column(String(8))
    taken_at: Mapped[datetime] = mapped_column(DateTime)
    source: Mapped[str] = mapped_column(String(8))
    main_balance: Mapped[Decimal | None] = mapped_column(Money)
    subaccounts: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    subaccount_total: Mapped[Decimal | None] = mapped_column(Money)
    """The sum of `subaccounts`, so trends read totals without decoding every subaccount
    (NULL in rows written before it existed)."""
    error: Mapped[str | None] = mapped_column(Text)


class DigestSubscription(Base):
    """A channel's daily digest: when (local time, zone, weekdays), what, and its claim."""

    __tablename__ = "digest_subscriptions"
    __table_args__ = (UniqueConstraint("team_id", "channel_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    channel_id: Mapped[str] = mapped_column(String(32))
    at_time: Mapped[str] = mapped_column(String(5))
    zone: Mapped[str] = mapped_column(String(64))
    weekdays: Mapped[str] = mapped_column(String(20))
    products: Mapped[str | None] = mapped_column(String(32))
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    next_run_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    last_run_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_posted_at: Mapped[datetime | None] = mapped_column(DateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime)
    failure: Mapped[str | None] = mapped_column(Text)
    failure_reported_at: Mapped[datetime | None] = mapped_column(DateTime)


class AlertSettings(Base):
    """Where a workspace's low-balance alerts go."""

    __tablename__ = "alert_settings"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(32))
    set_by: Mapped[str] = mapped_column(String(32))
    set_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class AlertThreshold(Base):
    """A low-balance threshold: the main account's (warn, critical), the default for every
    subaccount, or one subaccount's. `subject` is "" for the first two, else the token."""

    __tablename__ = "alert_thresholds"
    __table_args__ = (UniqueConstraint("team_id", "product", "scope", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    product: Mapped[str] = mapped_column(String(8))
    scope: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(255), default="")
    label: Mapped[str | None] = mapped_column(String(320))
    warn: Mapped[Decimal] = mapped_column(Money)
    critical: Mapped[Decimal | None] = mapped_column(Money)
    set_by: Mapped[str] = mapped_column(String(32))
    set_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class AlertState(Base):
    """The last level an alert subject was seen at, so an alert fires once per crossing."""

    __tablename__ = "alert_states"
    __table_args__ = (UniqueConstraint("team_id", "product", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    product: Mapped[str] = mapped_column(String(8))
    subject: Mapped[str] = mapped_column(String(255))
    level: Mapped[str] = mapped_column(String(8))
    changed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    snoozed_until: Mapped[datetime | None] = mapped_column(DateTime)


class JobRun(Base):
    """One periodic job for one workspace and one period (e.g. the hourly snapshot of
    2026-11-23 14h). Inserting the row is the claim: any number of workers, one run."""

    __tablename__ = "job_runs"

    job: Mapped[str] = mapped_column(String(32), primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    period: Mapped[str] = mapped_column(String(32), primary_key=True)
    ran_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class LanguageSetting(Base):
    """The language an admin chose for what a workspace's channels see (cards, digests,
    alerts): the workspace's default (`channel_id` empty) or one channel's."""

    __tablename__ = "language_settings"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(32), primary_key=True, default="")
    language: Mapped[str] = mapped_column(String(8))
    set_by: Mapped[str] = mapped_column(String(32))
    set_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class HomeView(Base):
    """Who opened the app's Home tab, and when last: only their Homes are published again
    after a change (a Home nobody opened costs no Slack or vendor call)."""

    __tablename__ = "home_views"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    opened_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


# Tables in modules of their own: imported so that every table is on the metadata.
from bot.db import anomaly_models, batch_models, control_models, recurring_models  # noqa: E402, F401
