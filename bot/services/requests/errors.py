"""Why a request could not be made or decided as asked."""

from __future__ import annotations

from bot.services.errors import NotAllowed, ServiceError
from bot.services.requests.model import RequestSnapshot


class RequestRefused(ServiceError):
    """The request cannot be made as asked; `message` says why, with the real figures, in the
    language of the person asking (worded when raised, in the language their listener set)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotARequester(NotAllowed):
    """The policy names a requesters group and the requester is not in it.

    `locked_out`: the group has nobody in it (emptied or deleted), so nobody can ask.
    `tell_admins`: who to tell about that lock-out; set only for the one refusal that noticed
    it first, so the admins hear it once until it is fixed and breaks again. `team_id`: the
    workspace, for finding someone else to tell when none of them can be reached."""

    def __init__(
        self,
        group_id: str,
        group_label: str | None,
        *,
        locked_out: bool,
        tell_admins: tuple[str, ...] = (),
        team_id: str = "",
    ) -> None:
        super().__init__("make requests", "members of the requesters group")
        self.group_id = group_id
        self.group_label = group_label
        self.locked_out = locked_out
        self.tell_admins = tell_admins
        self.team_id = team_id


class OwnRequest(ServiceError):
    """An approver (or admin) tried to approve a request they asked for themselves."""

    def __init__(self, request: RequestSnapshot) -> None:
        super().__init__(f"request #{request.number} was asked for by this approver")
        self.request = request


class SimilarRequest(ServiceError):
    """The requester asked for the same thing moments ago (`earlier`, not rejected, failed,
    cancelled or expired): nothing is made until they confirm they mean it twice."""

    def __init__(self, earlier: RequestSnapshot) -> None:
        super().__init__(f"request #{earlier.number} is just like this one")
        self.earlier = earlier


class ApprovalsNotSetUp(ServiceError):
    """Nobody could approve this: no approvals channel, or no approvers."""

    def __init__(self, missing: str) -> None:
        super().__init__(missing)
        self.missing = missing


class AlreadyDecided(ServiceError):
    """Somebody else got there first (or the request had moved on).

    `expired_now` is True when this very call found the request past its time and expired it:
    the caller then owns telling the requester, as it would after any transition it won.
    """

    def __init__(self, request: RequestSnapshot, *, expired_now: bool = False) -> None:
        super().__init__(f"request #{request.number} is {request.status}")
        self.request = request
        self.expired_now = expired_now


class AlreadyApprovedByYou(ServiceError):
    def __init__(self, request: RequestSnapshot) -> None:
        super().__init__(f"request #{request.number} already approved by this approver")
        self.request = request


class SameOrigin(Exception):
    """The Slack form was already turned into `request` (internal to asking)."""

    def __init__(self, request: RequestSnapshot) -> None:
        super().__init__(f"form already made request #{request.number}")
        self.request = request
