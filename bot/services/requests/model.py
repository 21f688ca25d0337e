"""What a credit request is, as every caller sees it: its actions and statuses, the snapshot
read from the database, and the small results the service hands back.

```
pending ──approve(1 or 2)──▶ approved ──claim──▶ executing ──▶ succeeded | failed | unknown
   ├──reject──▶ rejected                                         unknown ──reconcile──▶ …
   ├──expire──▶ expired                                                  └─ an approver marks it
   └──cancel──▶ cancelled
```
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from bot.partner.models import Product, SubaccountType

MAX_REASON = 500
"""The longest reason a request (or a rejection) keeps, typed in a command or a form."""


class Action(StrEnum):
    CREDIT_ADD = "credit_add"
    CREDIT_REMOVE = "credit_remove"
    SUBACCOUNT_CREATE = "subaccount_create"
    SUBACCOUNT_DELETE = "subaccount_delete"


class Status(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    EXECUTING = "executing"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    UNKNOWN = "unknown"
    REJECTED = "rejected"
    EXPIRED = "expired"
    CANCELLED = "cancelled"

    @property
    def is_final(self) -> bool:
        return self in FINAL


FINAL = frozenset(
    {Status.SUCCEEDED, Status.FAILED, Status.REJECTED, Status.EXPIRED, Status.CANCELLED}
)
KEY_CHANGED = "key_changed"
"""Why a request was withdrawn (`details["withdrawn"]`): its product's Partner key changed."""
NOTHING_MOVED = "nothing_moved"
"""An unknown outcome the balances settled as failed (`details["reconciled"]`)."""

STILL_COUNTS = frozenset(
    {Status.PENDING, Status.APPROVED, Status.EXECUTING, Status.SUCCEEDED, Status.UNKNOWN}
)
"""Requests that did or may still do what they asked: a new one just like them is a repeat."""
COUNTS_TOWARD_CAP = frozenset({Status.APPROVED, Status.EXECUTING, Status.SUCCEEDED, Status.UNKNOWN})
"""The statuses in which an auto-approved move counts toward its requester's daily cap: it moved,
or may still move, money. A failed one moved nothing and gives its share back (whether it
failed before the vendor call or the vendor refused it); an unknown one counts until it is
reconciled. (An auto-approved request is never pending, so never cancelled or withdrawn.)"""


@dataclass(frozen=True, slots=True)
class RequestSnapshot:
    """A request as it stood when read: what every caller renders or decides from."""

    id: int
    """Internal (database keys, the worker): never shown, never in a Slack payload."""
    team_id: str
    number: int
    """Its number in its workspace (`#12`): what people see and Slack payloads carry."""
    product: Product
    action: Action
    status: Status
    requester_id: str
    subaccount_token: str | None
    subaccount_email: str | None
    subaccount_id: int | None
    amount: Decimal | None
    reason: str | None
    details: dict[str, Any]
    approvals_needed: int
    approvers: tuple[str, ...]
    auto_approved: bool
    created_at: datetime
    expires_at: datetime
    finished_at: datetime | None
    executing_since: datetime | None
    decided_by: str | None
    rejection_reason: str | None
    outcome_note: str | None
    main_balance_before: Decimal | None
    subaccount_balance_before: Decimal | None
    main_balance_after: Decimal | None
    subaccount_balance_after: Decimal | None
    created_token: str | None
    card_channel_id: str | None
    card_ts: str | None
    similar_to: int | None = None
    """An earlier request just like this one that the requester confirmed they meant to repeat
    (its internal id; `similar_to_number` is the number people know it by)."""
    similar_to_number: int | None = None
    key_id: str | None = None
    """The Partner key it was made with (a hash): it runs with that key or not at all."""

    @property
    def withdrawn_for_key(self) -> bool:
        """Withdrawn because the product's key changed after it was made."""
        return self.status is Status.CANCELLED and self.details.get("withdrawn") == KEY_CHANGED

    @property
    def needed_no_approval(self) -> bool:
        """Ran at once because it moves no money (a new subaccount without credit)."""
        return self.auto_approved and self.amount is None

    @property
    def proven_unmoved(self) -> bool:
        """Failed because its outcome was unknown (the process carrying it out stopped, or the
        vendor's answer never came) and the balances, read once the vendor had had time to
        finish, showed nothing moved: making the same move again cannot move money twice."""
        return self.status is Status.FAILED and self.details.get("reconciled") == NOTHING_MOVED

    @property
    def needs_a_person(self) -> bool:
        """Unknown and not decidable from the balances: an approver must look and mark it."""
        return self.status is Status.UNKNOWN and bool(self.details.get("undecidable"))


@dataclass(frozen=True, slots=True)
class CardOwed:
    """A pending request with no card and no known outcome of its post (bot.services.requests
    .cards): `claimed_at`, when a process took the posting, if one did."""

    request_id: int
    team_id: str
    created_at: datetime
    claimed_at: datetime | None


@dataclass(frozen=True, slots=True)
class NewSubaccount:
    kind: SubaccountType
    email: str | None
    is_buyer: bool
    firstname: str | None = None
    lastname: str | None = None
    credit: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Ask:
    """A request as asked, before the service makes it (from a command, a form, a button that
    confirms a repeat): what `Requests.ask` takes."""

    action: Action
    product: Product
    reason: str | None
    ref: str | None = None
    amount: Decimal | None = None
    new: NewSubaccount | None = None


@dataclass(frozen=True, slots=True)
class Submitted:
    request: RequestSnapshot
    approvals_channel_id: str | None
    """Where its card goes (None when it runs at once)."""
    repeated: bool = False
    """The same Slack form was submitted again: this is the request the first submission
    made, already being handled; nothing more is to be done."""

    @property
    def runs_now(self) -> bool:
        """Auto-approved (or moving no money): execute at once, no card."""
        return self.request.status is Status.APPROVED


class Click(StrEnum):
    """What one click on Approve did."""

    COUNTED = "counted"
    COMPLETED = "completed"  # the approval that made the request approved
    REPEATED = "repeated"  # this approver had approved already
    LATE = "late"  # the request was decided (or cancelled, expired) before the click


@dataclass(frozen=True, slots=True)
class Approval:
    request: RequestSnapshot
    complete: bool
    """True when this approval was the one that made the request approved."""


def may_decide(request: RequestSnapshot, user_id: str) -> bool:
    """Pending, not their own, and not already approved by them (the same rules the service
    applies to a click: this only spares them buttons that would be refused); or an unknown
    outcome, which any approver settles (Mark done / Mark failed)."""
    if request.needs_a_person:
        return True
    return (
        request.status is Status.PENDING
        and request.requester_id != user_id
        and user_id not in request.approvers
    )


@dataclass(frozen=True, slots=True)
class Awaiting:
    """What waits for a decision in a workspace, as one admin or approver sees it."""

    requests: tuple[RequestSnapshot, ...]
    decidable: frozenset[int]
    """Ids of those this person may decide now (an admin who is no approver only sees)."""
