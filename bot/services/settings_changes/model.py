"""What a setting change is: the settings, which changes loosen money control, a change, its
stored row read back as a snapshot, and the refusals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from bot.db.models import SettingChange
from bot.partner.models import Product
from bot.partner.transport import fingerprint
from bot.services.errors import ServiceError
from bot.services.roles import Subject, SubjectKind


class Setting(StrEnum):
    AUTO_APPROVE_LIMIT = "auto_approve_limit"
    DAILY_AUTO_APPROVE_CAP = "daily_auto_approve_cap"
    TWO_APPROVER_THRESHOLD = "two_approver_threshold"
    EXPIRY_HOURS = "expiry_hours"
    APPROVALS_CHANNEL = "approvals_channel_id"
    REQUESTERS = "requesters_usergroup_id"
    REMIND_HOURS = "remind_hours"
    ESCALATE_HOURS = "escalate_hours"
    ADMIN = "admin"
    """old/new: whether the subject (a user) is an added admin."""
    APPROVER = "approver"
    """old/new: whether the subject (a user or group) is an approver."""
    PARTNER_KEY = "partner_key"
    """old/new: the key's fingerprint (None: no key); subject: the product."""
    SUBACCOUNT_FROZEN = "subaccount_frozen"
    """old/new: whether the subaccount is frozen; subject: `product:token`, label its email."""
    SUBACCOUNT_CAP = "subaccount_cap"
    """old/new: the cap on the subaccount's balance (None: no cap); subject as above."""

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
    "remind_hours",
    "escalate_hours",
}
_MONEY = {
    Setting.AUTO_APPROVE_LIMIT,
    Setting.DAILY_AUTO_APPROVE_CAP,
    Setting.TWO_APPROVER_THRESHOLD,
    Setting.SUBACCOUNT_CAP,
}
LABELLED = {Setting.APPROVER, Setting.SUBACCOUNT_FROZEN, Setting.SUBACCOUNT_CAP}
"""Settings whose subject is stored with a label to show it by (a group's handle, an email)."""


def loosens(setting: Setting, old: object, new: object) -> bool:
    """Whether changing `setting` from `old` to `new` loosens money control.

    - auto-approve limit: raised (more runs with no approver);
    - daily cap and two-approver amount: raised, or set to none (None means no limit);
    - approvals channel: moved from one channel to another (choosing the first one is set-up:
      without it nothing could be approved at all);
    - admins: somebody added; approvers: somebody removed;
    - a subaccount: unfrozen; its cap raised or removed (a first or lower cap tightens);
    - a Partner key: any but the first key of a new workspace (`old` is the key in use, the
      last one deleted by an uninstall, or NO_KEY_IN_USE in a workspace already in use).

    Expiry, the requesters group, reminders and escalation do not move money by themselves
    and never loosen; nor does anything that stays the same.
    """
    if setting is Setting.PARTNER_KEY:
        # Fingerprints are 4 characters, not identities: another key may end the same way.
        # (The same key saved again is no change at all: the caller compares the keys.)
        return old is not None
    if old == new:
        return False
    match setting:
        case Setting.AUTO_APPROVE_LIMIT:
            return _amount(new) > _amount(old)
        case (
            Setting.DAILY_AUTO_APPROVE_CAP | Setting.TWO_APPROVER_THRESHOLD | Setting.SUBACCOUNT_CAP
        ):
            if new is None:
                return True
            return old is not None and _amount(new) > _amount(old)
        case Setting.APPROVALS_CHANNEL:
            return old is not None
        case Setting.ADMIN:
            return bool(new) and not old
        case Setting.APPROVER | Setting.SUBACCOUNT_FROZEN:
            return bool(old) and not new
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


NO_KEY_IN_USE = ""
"""A key change's `old` when there is no key but the workspace is in use (roles, a policy,
requests): not None, so the first key is a replacement, confirmed under four eyes."""


def replaced_key(current: str | None, last_saved: str | None, in_use: bool) -> str | None:
    """What a new key replaces, as a key change's `old`: the key in use, else the last one the
    workspace saved (an uninstall deleted it), else NO_KEY_IN_USE in a workspace already in
    use; None (a first key, saved at once) only in a workspace starting from nothing."""
    if current is not None:
        return current
    if last_saved is not None:
        return last_saved
    return NO_KEY_IN_USE if in_use else None


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


def stored_value(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        # One text for one amount: "50", "50.0" and "50.00" typed are the same change
        # (`_same_pending` compares the stored texts).
        return f"{value.normalize():f}"
    return str(value)


def typed_value(setting: Setting, stored: str | None) -> object:
    if stored is None:
        return None
    if setting in _MONEY:
        return Decimal(stored)
    if setting in (Setting.EXPIRY_HOURS, Setting.REMIND_HOURS, Setting.ESCALATE_HOURS):
        return int(stored)
    if setting in (Setting.ADMIN, Setting.APPROVER, Setting.SUBACCOUNT_FROZEN):
        return stored == "yes"
    return stored


def stored_subject(change: Change) -> str | None:
    if change.subject is None:
        return None
    if change.label and change.setting in LABELLED:
        return f"{change.subject}|{change.label}"
    return change.subject


def subject_of(stored: str | None) -> Subject:
    """`user:U…` or `usergroup:S…|handle`."""
    assert stored is not None
    ident, _, label = stored.partition("|")
    kind, _, subject_id = ident.partition(":")
    return Subject(SubjectKind(kind), subject_id, label or None)


def audited(row: SettingChange) -> dict[str, object]:
    """What the audit keeps of a change: the setting, whom it is about, old and new (a key
    only by its fingerprint — the row never holds one in clear)."""
    about = row.subject.partition("|")[0] if row.subject else None
    return {
        "setting": row.setting,
        "subject" if row.setting != Setting.PARTNER_KEY else "product": about,
        "old": row.old_value or "none",
        "new": row.new_value if row.new_value is not None else "none",
    }


def snapshot_of(row: SettingChange, number: int) -> ChangeSnapshot:
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
        old=typed_value(setting, row.old_value),
        new=typed_value(setting, row.new_value),
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
