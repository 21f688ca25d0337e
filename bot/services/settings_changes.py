"""Settings under four eyes: a change that loosens money control waits for an approver.

Which changes loosen is decided by one pure function, `loosens`. A loosening change is stored
as *pending* and applied only when an approver other than the asker confirms it; a change that
tightens (or changes nothing about money) is applied at once. Like a request, a pending change
moves on exactly once: every status change is one `UPDATE … WHERE status = 'pending'`, and a
confirmation applies the change in the same transaction as that UPDATE, so of any number of
clicks exactly one applies it, and a change is never half applied.

```
pending ──confirm (an approver, not the asker)──▶ applied
   ├──reject (an approver, or the asker withdrawing it)──▶ rejected
   └──expire (after the policy's expiry)──▶ expired
```

While nobody could confirm (no approvals channel, or no approver yet), a workspace admin or
owner — who could give themselves any role in Slack anyway — applies a loosening change at
once; anybody else is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import utcnow
from bot.db.models import SettingChange
from bot.db.session import Database
from bot.partner.models import Product
from bot.partner.transport import fingerprint
from bot.services import audit
from bot.services.directory import Directory
from bot.services.errors import NotAllowed, NotFound, ServiceError
from bot.services.partner_keys import PartnerKeys
from bot.services.policy import Policy, change_policy_in, check_change, load_policy
from bot.services.roles import Role, Roles, Subject, SubjectKind


class Setting(StrEnum):
    AUTO_APPROVE_LIMIT = "auto_approve_limit"
    DAILY_AUTO_APPROVE_CAP = "daily_auto_approve_cap"
    TWO_APPROVER_THRESHOLD = "two_approver_threshold"
    EXPIRY_HOURS = "expiry_hours"
    APPROVALS_CHANNEL = "approvals_channel_id"
    REQUESTERS = "requesters_usergroup_id"
    ADMIN = "admin"
    """old/new: whether the subject (a user) is an added admin."""
    APPROVER = "approver"
    """old/new: whether the subject (a user or group) is an approver."""
    PARTNER_KEY = "partner_key"
    """old/new: the key's fingerprint (None: no key); subject: the product."""

    @property
    def is_policy(self) -> bool:
        return self.value in _POLICY_SETTINGS


_POLICY_SETTINGS = {
    "auto_approve_limit",
    "daily_auto_approve_cap",
    "two_approver_threshold",
    "expiry_hours",
    "approvals_channel_id",
    "requesters_usergroup_id",
}
_MONEY = {
    Setting.AUTO_APPROVE_LIMIT,
    Setting.DAILY_AUTO_APPROVE_CAP,
    Setting.TWO_APPROVER_THRESHOLD,
}


def loosens(setting: Setting, old: object, new: object) -> bool:
    """Whether changing `setting` from `old` to `new` loosens money control.

    - auto-approve limit: raised (more runs with no approver);
    - daily cap and two-approver amount: raised, or set to none (None means no limit);
    - approvals channel: moved from one channel to another (choosing the first one is set-up:
      without it nothing could be approved at all);
    - admins: somebody added; approvers: somebody removed;
    - a Partner key: one that is in use replaced (the first key for a product is set-up).

    Expiry and the requesters group do not move money by themselves and never loosen; nor does
    anything that stays the same.
    """
    if old == new:
        return False
    match setting:
        case Setting.AUTO_APPROVE_LIMIT:
            return _amount(new) > _amount(old)
        case Setting.DAILY_AUTO_APPROVE_CAP | Setting.TWO_APPROVER_THRESHOLD:
            if new is None:
                return True
            return old is not None and _amount(new) > _amount(old)
        case Setting.APPROVALS_CHANNEL:
            return old is not None
        case Setting.ADMIN:
            return bool(new) and not old
        case Setting.APPROVER:
            return bool(old) and not new
        case Setting.PARTNER_KEY:
            return old is not None
    return False


def _amount(value: object) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value or 0))


class Status(StrEnum):
    PENDING = "pending"
    APPLIED = "applied"
    REJECTED = "rejected"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class Change:
    """What somebody asks to change. `secret` (a new Partner key) only ever lives in memory
    and, sealed, in the pending row; `old`/`new` of a key are fingerprints."""

    setting: Setting
    old: object
    new: object
    subject: str | None = None
    """`user:U…` (admins), `user:U…`/`usergroup:S…` (approvers), a product (keys)."""
    label: str | None = None
    """A group's handle, to show it without asking Slack."""
    secret: str | None = None

    def __repr__(self) -> str:  # never the secret
        return f"Change({self.setting.value}, {self.old!r} → {self.new!r}, {self.subject!r})"

    @property
    def loosens(self) -> bool:
        return loosens(self.setting, self.old, self.new)


@dataclass(frozen=True, slots=True)
class ChangeSnapshot:
    id: int
    number: int
    """Its number in the workspace (#1, #2…), the only one shown or put in a payload: the ids
    are one sequence across every workspace, and would tell one how busy the others are."""
    team_id: str
    setting: Setting
    subject: str | None
    old: object
    new: object
    status: Status
    requested_by: str
    decided_by: str | None
    created_at: datetime
    expires_at: datetime
    decided_at: datetime | None
    card_channel_id: str | None
    card_ts: str | None
    label: str | None = None


class NobodyToConfirm(ServiceError):
    """A loosening change, asked by an added admin, while nobody could confirm it (no
    approvals channel or no approver): only a workspace admin or owner may make it then."""

    def __init__(self, change: Change, missing: str) -> None:
        super().__init__(f"{change.setting.value}: no {missing}")
        self.change = change
        self.missing = missing


class OwnChange(ServiceError):
    """The asker tried to confirm their own change."""

    def __init__(self, change: ChangeSnapshot) -> None:
        super().__init__(f"setting change {change.id} was asked for by this approver")
        self.change = change


class ChangeAlreadyDecided(ServiceError):
    def __init__(self, change: ChangeSnapshot, *, expired_now: bool = False) -> None:
        super().__init__(f"setting change {change.id} is {change.status}")
        self.change = change
        self.expired_now = expired_now


class Route(StrEnum):
    AT_ONCE = "at_once"
    NEEDS_CONFIRMATION = "needs_confirmation"


class SettingsChanges:
    def __init__(self, database: Database, roles: Roles, keys: PartnerKeys) -> None:
        self._database = database
        self._roles = roles
        self._keys = keys

    # --- asking -----------------------------------------------------------------------------

    async def route(
        self, team_id: str, actor_id: str, change: Change, directory: Directory
    ) -> Route:
        """At once (it does not loosen, or nobody could confirm and the asker is a workspace
        admin), or after an approver's confirmation. Raises NobodyToConfirm otherwise, and
        PolicyOutOfBounds / PolicyConflict for a policy value that could never be applied."""
        policy = await self._policy(team_id)
        if change.setting.is_policy:
            check_change(policy, change.setting.value, change.new)
        if not change.loosens:
            return Route.AT_ONCE
        missing = None
        if policy.approvals_channel_id is None:
            missing = "channel"
        elif not await self._roles.has_approvers(team_id):
            missing = "approvers"
        if missing is None:
            return Route.NEEDS_CONFIRMATION
        if await directory.is_workspace_admin(actor_id):
            return Route.AT_ONCE
        raise NobodyToConfirm(change, missing)

    async def propose(self, team_id: str, actor_id: str, change: Change) -> ChangeSnapshot:
        """Store a loosening change as pending (checked now as it would be when applied:
        bounds and consistency), audited. It expires after the policy's expiry."""
        policy = await self._policy(team_id)
        if change.setting.is_policy:
            check_change(policy, change.setting.value, change.new)
        same = await self._same_pending(team_id, change)
        if same is not None and change.secret is None:
            return same  # asked twice (a command typed again): one card is enough
        now = utcnow()
        row = SettingChange(
            team_id=team_id,
            setting=change.setting.value,
            subject=_subject_stored(change),
            old_value=_stored(change.old),
            new_value=_stored(change.new),
            encrypted_secret=self._keys.seal(change.secret) if change.secret else None,
            status=Status.PENDING.value,
            requested_by=actor_id,
            created_at=now,
            expires_at=now + timedelta(hours=policy.expiry_hours),
        )
        async with self._database.session() as session:
            session.add(row)
            await session.flush()
            await audit.record(
                session,
                team_id,
                "setting_change_proposed",
                actor_id,
                change=f"#{await _number_of(session, row)}",
                **_audited(row),
            )
        return await self.get(row.id)

    async def _same_pending(self, team_id: str, change: Change) -> ChangeSnapshot | None:
        async with self._database.session() as session:
            row = await session.scalar(
                select(SettingChange)
                .where(
                    SettingChange.team_id == team_id,
                    SettingChange.status == Status.PENDING.value,
                    SettingChange.setting == change.setting.value,
                    SettingChange.subject.is_(None)
                    if change.subject is None
                    else SettingChange.subject == _subject_stored(change),
                    SettingChange.new_value.is_(None)
                    if change.new is None
                    else SettingChange.new_value == _stored(change.new),
                    SettingChange.expires_at > utcnow(),
                )
                .order_by(SettingChange.id)
                .limit(1)
            )
            return _snapshot(row, await _number_of(session, row)) if row is not None else None

    # --- deciding ---------------------------------------------------------------------------

    async def confirm(
        self, change_id: int, team_id: str, approver_id: str, directory: Directory
    ) -> ChangeSnapshot:
        change = await self._decidable(change_id, team_id)
        if approver_id == change.requested_by:
            raise OwnChange(change)
        if not await self._roles.is_approver(team_id, approver_id, directory):
            raise NotAllowed("confirm setting changes", "approvers")
        async with self._database.session() as session:
            if not await self._move(session, change_id, Status.APPLIED, approver_id):
                raise ChangeAlreadyDecided(await self.get(change_id))
            row = await session.get(SettingChange, change_id)
            assert row is not None
            # Applied in the transaction that won the move: both land, or neither does.
            await self._apply(session, row)
            await audit.record(
                session,
                team_id,
                "setting_change_confirmed",
                approver_id,
                change=f"#{await _number_of(session, row)}",
                asked_by=row.requested_by,
                **_audited(row),
            )
        return await self.get(change_id)

    async def reject(
        self, change_id: int, team_id: str, user_id: str, directory: Directory
    ) -> ChangeSnapshot:
        """By an approver, or by the asker (who withdraws it)."""
        change = await self._decidable(change_id, team_id)
        if user_id != change.requested_by and not await self._roles.is_approver(
            team_id, user_id, directory
        ):
            raise NotAllowed("reject setting changes", "approvers")
        async with self._database.session() as session:
            if not await self._move(session, change_id, Status.REJECTED, user_id):
                raise ChangeAlreadyDecided(await self.get(change_id))
            row = await session.get(SettingChange, change_id)
            assert row is not None
            await audit.record(
                session,
                team_id,
                "setting_change_rejected",
                user_id,
                change=f"#{await _number_of(session, row)}",
                asked_by=row.requested_by,
                **_audited(row),
            )
        return await self.get(change_id)

    async def expire_due(self) -> list[ChangeSnapshot]:
        """Pending changes past their time become expired; returns those this call moved."""
        async with self._database.session() as session:
            due = (
                await session.scalars(
                    select(SettingChange.id).where(
                        SettingChange.status == Status.PENDING.value,
                        SettingChange.expires_at <= utcnow(),
                    )
                )
            ).all()
        return [expired for change_id in due if (expired := await self._expire(change_id))]

    async def _expire(self, change_id: int) -> ChangeSnapshot | None:
        async with self._database.session() as session:
            row = await session.get(SettingChange, change_id)
            if row is None or row.expires_at > utcnow():
                return None
            if not await self._move(session, change_id, Status.EXPIRED, None):
                return None
            await audit.record(
                session,
                row.team_id,
                "setting_change_expired",
                audit.SYSTEM,
                change=f"#{await _number_of(session, row)}",
                asked_by=row.requested_by,
                **_audited(row),
            )
        return await self.get(change_id)

    async def _decidable(self, change_id: int, team_id: str) -> ChangeSnapshot:
        change = await self.get(change_id, team_id)
        if change.status is Status.PENDING and change.expires_at <= utcnow():
            expired = await self._expire(change_id)
            if expired is not None:
                raise ChangeAlreadyDecided(expired, expired_now=True)
            change = await self.get(change_id, team_id)
        if change.status is not Status.PENDING:
            raise ChangeAlreadyDecided(change)
        return change

    @staticmethod
    async def _move(
        session: AsyncSession, change_id: int, to: Status, decided_by: str | None
    ) -> bool:
        """The one way a status changes: only from pending. True if this call won."""
        # A conditional UPDATE: a row lock on PostgreSQL, the writer lock on SQLite, held
        # until this transaction ends, so the change is applied by the winner alone.
        result = await session.execute(
            update(SettingChange)
            .where(SettingChange.id == change_id, SettingChange.status == Status.PENDING.value)
            .values(
                status=to.value,
                decided_by=decided_by,
                decided_at=utcnow(),
                # A key nobody will save is not kept; a confirmed one is dropped once saved.
                **({} if to is Status.APPLIED else {"encrypted_secret": None}),
            )
        )
        return (result.rowcount or 0) == 1

    # --- applying ---------------------------------------------------------------------------

    async def _apply(self, session: AsyncSession, row: SettingChange) -> None:
        setting, actor = Setting(row.setting), row.requested_by
        new = _typed(setting, row.new_value)
        if setting.is_policy:
            await change_policy_in(session, row.team_id, actor, **{setting.value: new})
        elif setting is Setting.ADMIN:
            subject = _subject_of(row.subject)
            if new:
                await self._roles.grant(row.team_id, Role.ADMIN, subject, actor, session=session)
            else:
                await self._roles.revoke(row.team_id, Role.ADMIN, subject, actor, session=session)
        elif setting is Setting.APPROVER:
            subject = _subject_of(row.subject)
            if new:
                await self._roles.grant(row.team_id, Role.APPROVER, subject, actor, session=session)
            else:
                await self._roles.revoke(
                    row.team_id, Role.APPROVER, subject, actor, session=session
                )
        elif setting is Setting.PARTNER_KEY:
            assert row.subject is not None and row.encrypted_secret is not None
            raw = self._keys.unseal(row.encrypted_secret)
            await self._keys.save_in(session, row.team_id, {Product(row.subject): raw}, actor)
        # The key is no longer needed here once saved (or once the change is decided).
        row.encrypted_secret = None

    # --- reading ----------------------------------------------------------------------------

    async def get(self, change_id: int, team_id: str | None = None) -> ChangeSnapshot:
        async with self._database.session() as session:
            row = await session.get(SettingChange, change_id, populate_existing=True)
            if row is None or (team_id is not None and row.team_id != team_id):
                raise NotFound("setting change", "")
            return _snapshot(row, await _number_of(session, row))

    async def by_number(self, team_id: str, number: int) -> ChangeSnapshot:
        """The workspace's setting change #`number` (changes are numbered in the order they
        were made, per workspace, and never deleted but with the workspace)."""
        async with self._database.session() as session:
            row = (
                await session.scalars(
                    select(SettingChange)
                    .where(SettingChange.team_id == team_id)
                    .order_by(SettingChange.id)
                    .offset(max(number, 1) - 1)
                    .limit(1)
                )
            ).first()
            if row is None or number < 1:
                raise NotFound("setting change", f"#{number}")
            return _snapshot(row, number)

    async def pending(self, team_id: str) -> list[ChangeSnapshot]:
        async with self._database.session() as session:
            rows = await session.scalars(
                select(SettingChange)
                .where(
                    SettingChange.team_id == team_id,
                    SettingChange.status == Status.PENDING.value,
                )
                .order_by(SettingChange.created_at, SettingChange.id)
            )
            return [_snapshot(row, await _number_of(session, row)) for row in rows.all()]

    async def set_card(self, change_id: int, channel_id: str, ts: str) -> None:
        async with self._database.session() as session:
            await session.execute(
                update(SettingChange)
                .where(SettingChange.id == change_id)
                .values(card_channel_id=channel_id, card_ts=ts)
            )

    async def adopt_card(self, change_id: int, team_id: str, channel_id: str, ts: str) -> bool:
        """Where the card is, learnt from a click, when posting it had no known outcome."""
        async with self._database.session() as session:
            result = await session.execute(
                update(SettingChange)
                .where(
                    SettingChange.id == change_id,
                    SettingChange.team_id == team_id,
                    SettingChange.card_ts.is_(None),
                )
                .values(card_channel_id=channel_id, card_ts=ts)
            )
            return bool(result.rowcount)

    async def _policy(self, team_id: str) -> Policy:
        async with self._database.session() as session:
            return await load_policy(session, team_id)


def key_change(product: Product, old_fingerprint: str | None, new_key: str) -> Change:
    """Replacing (or setting) a product's Partner key: only fingerprints are ever shown."""
    return Change(
        Setting.PARTNER_KEY,
        old_fingerprint,
        fingerprint(new_key),
        subject=product.value,
        secret=new_key,
    )


# --- stored values --------------------------------------------------------------------------


def _stored(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return f"{value:f}"
    return str(value)


def _typed(setting: Setting, stored: str | None) -> object:
    if stored is None:
        return None
    if setting in _MONEY:
        return Decimal(stored)
    if setting is Setting.EXPIRY_HOURS:
        return int(stored)
    if setting in (Setting.ADMIN, Setting.APPROVER):
        return stored == "yes"
    return stored


def _subject_stored(change: Change) -> str | None:
    if change.subject is None:
        return None
    if change.label and change.setting is Setting.APPROVER:
        return f"{change.subject}|{change.label}"
    return change.subject


def _subject_of(stored: str | None) -> Subject:
    """`user:U…` or `usergroup:S…|handle`."""
    assert stored is not None
    ident, _, label = stored.partition("|")
    kind, _, subject_id = ident.partition(":")
    return Subject(SubjectKind(kind), subject_id, label or None)


def _audited(row: SettingChange) -> dict[str, object]:
    """What the audit keeps of a change: the setting, whom it is about, old and new (a key
    only by its fingerprint — the row never holds one in clear)."""
    about = row.subject.partition("|")[0] if row.subject else None
    return {
        "setting": row.setting,
        "subject" if row.setting != Setting.PARTNER_KEY else "product": about,
        "old": row.old_value if row.old_value is not None else "none",
        "new": row.new_value if row.new_value is not None else "none",
    }


async def _number_of(session: AsyncSession, row: SettingChange) -> int:
    counted = await session.scalar(
        select(func.count()).where(SettingChange.team_id == row.team_id, SettingChange.id <= row.id)
    )
    return int(counted or 0)


def _snapshot(row: SettingChange, number: int) -> ChangeSnapshot:
    setting = Setting(row.setting)
    label = None
    if row.subject and "|" in row.subject:
        label = row.subject.partition("|")[2] or None
    return ChangeSnapshot(
        id=row.id,
        number=number,
        team_id=row.team_id,
        setting=setting,
        subject=row.subject.partition("|")[0] if row.subject else None,
        old=_typed(setting, row.old_value),
        new=_typed(setting, row.new_value),
        status=Status(row.status),
        requested_by=row.requested_by,
        decided_by=row.decided_by,
        created_at=row.created_at,
        expires_at=row.expires_at,
        decided_at=row.decided_at,
        card_channel_id=row.card_channel_id,
        card_ts=row.card_ts,
        label=label,
    )
