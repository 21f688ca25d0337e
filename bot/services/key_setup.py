"""`/partner setup`'s decision: every key entered is checked with the vendor before any is
saved (all or nothing: one refused key saves none, so nobody is left with a half-applied
setup); a workspace's first keys are saved at once; replacing a key in use loosens money
control (whoever holds the new key's account gets the moves), so it is proposed for an
approver's confirmation instead (`SettingsChanges.key_change` and `route` say which is which).

What to show and whom to tell (the modal, the card, announcements) is the caller's."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from bot.partner.errors import PartnerFailure
from bot.partner.models import Account, Product
from bot.services.directory import Directory
from bot.services.partner_access import PartnerAccess
from bot.services.partner_keys import PartnerKeys
from bot.services.policy import Policies
from bot.services.settings_changes import Change, ChangeSnapshot, Route, SettingsChanges

log = logging.getLogger(__name__)


class KeySetupParts(Protocol):
    @property
    def partner(self) -> PartnerAccess: ...

    @property
    def keys(self) -> PartnerKeys: ...

    @property
    def settings_changes(self) -> SettingsChanges: ...

    @property
    def policies(self) -> Policies: ...


@dataclass(frozen=True)
class Proposed:
    """A key replacement waiting for an approver, and the approvals channel its card goes to."""

    change: ChangeSnapshot
    channel_id: str


@dataclass(frozen=True)
class KeySetup:
    refused: dict[Product, PartnerFailure] = field(default_factory=dict)
    """Keys the vendor refused: then nothing at all was saved or proposed."""
    saved: dict[Product, tuple[str, Account]] = field(default_factory=dict)
    """Keys in use now (saved, or the same key entered again), with the account each reads."""
    applied: list[Change] = field(default_factory=list)
    """Keys that changed at once: to announce, and requests made with the old ones to withdraw."""
    proposed: list[Proposed] = field(default_factory=list)


async def check_and_save(
    parts: KeySetupParts,
    team_id: str,
    user_id: str,
    entered: Mapping[Product, str],
    directory: Directory,
) -> KeySetup:
    products = list(entered)
    answers = await asyncio.gather(
        *(parts.partner.check_key(p, entered[p]) for p in products), return_exceptions=True
    )
    refused: dict[Product, PartnerFailure] = {}
    accounts: dict[Product, tuple[str, Account]] = {}
    for product, answer in zip(products, answers, strict=True):
        if isinstance(answer, PartnerFailure):
            refused[product] = answer
        elif isinstance(answer, BaseException):
            raise answer
        else:
            accounts[product] = (entered[product], answer)
    if refused:
        return KeySetup(refused=refused)
    saved: dict[Product, tuple[str, Account]] = {}
    applied: list[Change] = []
    proposed: list[Proposed] = []
    changes = parts.settings_changes
    for product, (raw, account) in accounts.items():
        change = await changes.key_change(team_id, product, raw)
        current = await parts.keys.key(team_id, product)
        unchanged = current is not None and current.get_secret_value() == raw
        route = await changes.route(team_id, user_id, change, directory)
        if unchanged or route is Route.AT_ONCE:
            saved[product] = (raw, account)
            if not unchanged:
                applied.append(change)
            continue
        waiting = await changes.propose(team_id, user_id, change)
        channel = (await parts.policies.get(team_id)).approvals_channel_id
        assert channel is not None, "routed to confirmation without an approvals channel"
        proposed.append(Proposed(waiting, channel))
    if saved:
        await parts.keys.save(team_id, {p: raw for p, (raw, _) in saved.items()}, user_id)
        log.info(
            "partner keys saved for team %s by %s: %s",
            team_id,
            user_id,
            ", ".join(p.value for p in saved),
        )
    if proposed:
        log.info(
            "partner key replacements for team %s by %s wait for confirmation: %s",
            team_id,
            user_id,
            ", ".join(str(p.change.subject) for p in proposed),
        )
    return KeySetup(saved=saved, applied=applied, proposed=proposed)
