"""Credit moves and subaccount changes, approved by people and executed exactly once.

The package, by step: `model` (what a request is), `errors`, `store` (the only SQL, the
conditional-UPDATE rule), `asking`, `deciding`, `executing`, `reconciling`, `notices` (what the
service tells Slack, a Protocol) and `service` (`Requests`, the one door).
"""

from bot.services.requests.errors import (
    AlreadyApprovedByYou,
    AlreadyDecided,
    ApprovalsNotSetUp,
    NotARequester,
    OwnRequest,
    RequestRefused,
    SimilarRequest,
)
from bot.services.requests.model import (
    MAX_REASON,
    Action,
    Approval,
    Ask,
    Awaiting,
    NewSubaccount,
    RequestSnapshot,
    Status,
    Submitted,
    may_decide,
)
from bot.services.requests.notices import CardPosted, CardRefused, RequestNotices
from bot.services.requests.reconciling import judge
from bot.services.requests.service import WITHDRAWN_NOTE, CardAt, Requests

__all__ = [
    "MAX_REASON",
    "WITHDRAWN_NOTE",
    "Action",
    "AlreadyApprovedByYou",
    "AlreadyDecided",
    "Approval",
    "ApprovalsNotSetUp",
    "Ask",
    "Awaiting",
    "CardAt",
    "CardPosted",
    "CardRefused",
    "NewSubaccount",
    "NotARequester",
    "OwnRequest",
    "RequestNotices",
    "RequestRefused",
    "RequestSnapshot",
    "Requests",
    "SimilarRequest",
    "Status",
    "Submitted",
    "judge",
    "may_decide",
]
