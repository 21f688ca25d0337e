"""What the request service tells the outside world, and how: the interface `bot/slack/`
implements (bot.slack.requests.notices), the way `Directory` is for roles.

The service decides every next step of a request (run it now or post its card, withdraw it when
the card cannot be posted, execute after the approval that wins, settle what a dead process
left) and reports each through one of these calls. Three audiences:
- the approvals channel: `card_needed`, `card_changed`;
- the requester (and the admins when nobody may ask): `requester_told`, `sent_late`,
  `withdrawn_late`, `admins_locked_out`;
- the person acting right now (who typed, submitted or clicked): every other method. A caller
  with nobody acting (the worker) may ignore those.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.services.errors import ServiceError
from bot.services.requests.errors import NotARequester
from bot.services.requests.model import Ask, RequestSnapshot


@dataclass(frozen=True, slots=True)
class CardPosted:
    """Where a request's card now is: it is only ever edited after."""

    channel_id: str
    ts: str


class CardRefused(ServiceError):
    """The approvals channel refused the card (`reason` as the channel gave it)."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"the card could not be posted: {reason}")
        self.reason = reason


class RequestNotices(Protocol):
    # --- the approvals channel ----------------------------------------------------------------

    async def card_needed(self, request: RequestSnapshot, channel_id: str) -> CardPosted | None:
        """Post the request's card, once: where it is, or None when nobody knows whether it
        was posted (it is never posted again; the first click on it says where it is).
        Raises CardRefused when the channel refuses it."""
        ...

    async def card_changed(self, request: RequestSnapshot) -> None:
        """Redraw the card (if it has one) from `request`, just read. Never raises."""
        ...

    # --- the requester, the admins ------------------------------------------------------------

    async def requester_told(self, request: RequestSnapshot) -> None:
        """The request was settled (decided, carried out, expired): tell its requester.
        Never raises."""
        ...

    async def sent_late(
        self, request: RequestSnapshot, channel_id: str, *, card_known: bool
    ) -> None:
        """Nobody was acting when its card went out (maintenance posted the card of a request
        whose process died, or found its post cut short: `card_known` False): tell its
        requester where it went. Never raises."""
        ...

    async def withdrawn_late(self, request: RequestSnapshot, channel_id: str, reason: str) -> None:
        """As `withdrawn`, when nobody is acting: tell its requester. Never raises."""
        ...

    async def admins_locked_out(self, refused: NotARequester) -> None:
        """A refusal found that nobody may ask (`refused.tell_admins` to be told)."""
        ...

    # --- the person acting --------------------------------------------------------------------

    async def similar_found(self, ask: Ask, earlier: RequestSnapshot) -> None:
        """`ask` is just like `earlier`: nothing was made; ask them whether they mean it twice."""
        ...

    async def ran_now(self, request: RequestSnapshot) -> None:
        """It needed no approval and was carried out at once: here is how it ended."""
        ...

    async def sent_for_approval(
        self, request: RequestSnapshot, channel_id: str, *, card_known: bool
    ) -> None:
        """Its card is in `channel_id` (`card_known` False: maybe; the post had no answer)."""
        ...

    async def withdrawn(self, request: RequestSnapshot, channel_id: str, reason: str) -> None:
        """Its card could not be posted in `channel_id`, so it was withdrawn."""
        ...

    async def approval_counted(self, request: RequestSnapshot) -> None:
        """Their approval counted, and more are needed."""
        ...

    async def already_approved_by_you(self, request: RequestSnapshot) -> None: ...

    async def too_late(self, request: RequestSnapshot) -> None:
        """Somebody (or the clock) decided it first: nothing was done."""
        ...

    async def rejected(self, request: RequestSnapshot) -> None:
        """Their rejection was recorded."""
        ...

    async def cancelled(self, request: RequestSnapshot) -> None:
        """Their cancellation was recorded."""
        ...
