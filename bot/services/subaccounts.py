"""Finding subaccounts in the live list: by search text, or one by email, id or token."""

from __future__ import annotations

from collections.abc import Sequence

from bot.partner.client import SubaccountClient
from bot.partner.models import Subaccount
from bot.services.errors import Ambiguous, NotFound
from bot.services.suggestions import close_matches

SUGGESTIONS = 5


async def search_subaccounts(client: SubaccountClient, text: str = "") -> list[Subaccount]:
    """Every subaccount (all pages) whose email, id or token matches `text`, by email.

    The vendor's list carries no names, so the email is what people search by.
    """
    found = await client.all_subaccounts()
    needle = text.strip().lower()
    if needle:
        found = [s for s in found if _matches(s, needle)]
    return sorted(found, key=lambda s: (s.email.lower(), s.id))


async def find_subaccount(client: SubaccountClient, ref: str) -> Subaccount:
    """Exactly one subaccount named by email (any case), id or token."""
    return pick_subaccount(await client.all_subaccounts(), ref)


def pick_subaccount(subaccounts: Sequence[Subaccount], ref: str) -> Subaccount:
    wanted = ref.strip()
    lowered = wanted.lower()
    for exact in (
        [s for s in subaccounts if s.token == wanted],
        [s for s in subaccounts if wanted.isdigit() and s.id == int(wanted)],
        [s for s in subaccounts if s.email.lower() == lowered],
    ):
        if len(exact) == 1:
            return exact[0]
        if len(exact) > 1:
            raise Ambiguous("subaccount", wanted, [s.email for s in exact])
    partial = [s for s in subaccounts if lowered and lowered in s.email.lower()]
    if len(partial) == 1:
        return partial[0]
    if len(partial) > 1:
        raise Ambiguous("subaccount", wanted, sorted(s.email for s in partial))
    emails = [s.email for s in subaccounts]
    close = close_matches(wanted, emails, limit=SUGGESTIONS)
    raise NotFound("subaccount", wanted, close)


def _matches(subaccount: Subaccount, needle: str) -> bool:
    return (
        needle in subaccount.email.lower()
        or needle == str(subaccount.id)
        or needle == subaccount.token.lower()
    )
