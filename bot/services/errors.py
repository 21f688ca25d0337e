"""Expected refusals from the services. None of them mentions Slack; `bot.slack.errors` turns
each into the message a user reads."""

from __future__ import annotations

from collections.abc import Sequence

# Re-exported: bot/slack words it without importing bot.db (tests/test_boundaries.py).
from bot.db.session import DatabaseUnavailable as DatabaseUnavailable
from bot.partner.models import Product


class ServiceError(Exception):
    """A condition the user can act on (as opposed to a bug)."""


class NotConfigured(ServiceError):
    """No Partner API key is set up for these products in this workspace."""

    def __init__(self, products: Sequence[Product]) -> None:
        self.products = tuple(products)
        super().__init__(f"no API key for {', '.join(p.value for p in self.products)}")


class NotFound(ServiceError):
    """Nothing matches what the user named; `suggestions` are the closest real names."""

    def __init__(self, what: str, ref: str, suggestions: Sequence[str] = ()) -> None:
        self.what = what
        self.ref = ref
        self.suggestions = tuple(suggestions)
        super().__init__(f"{what} not found: {ref!r}")


class Ambiguous(ServiceError):
    """Several things match what the user named."""

    def __init__(self, what: str, ref: str, matches: Sequence[str]) -> None:
        self.what = what
        self.ref = ref
        self.matches = tuple(matches)
        super().__init__(f"{what} {ref!r} matches {len(self.matches)}")


class NotAllowed(ServiceError):
    """The user may not do this; `action` names what was refused."""

    def __init__(self, action: str, who_may: str) -> None:
        self.action = action
        self.who_may = who_may
        super().__init__(f"not allowed: {action}")
