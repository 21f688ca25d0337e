"""Recurring and automatic top-ups, behind one facade (docs/recurring.md)."""

from __future__ import annotations

from bot.db.session import Database
from bot.services.partner_access import PartnerAccess
from bot.services.recurring.automatic import AutoTopups
from bot.services.recurring.running import IsFrozen, Runner
from bot.services.recurring.series import SeriesDecisions
from bot.services.recurring.store import SeriesStore
from bot.services.requests import Requests
from bot.services.roles import Roles


class Recurring:
    def __init__(
        self,
        database: Database,
        requests: Requests,
        partner: PartnerAccess,
        roles: Roles,
        frozen: IsFrozen,
    ) -> None:
        self.store = SeriesStore(database, requests.store)
        self.decisions = SeriesDecisions(database, self.store, partner, roles)
        self.runner = Runner(database, self.store, requests, partner, frozen)
        self.propose = self.decisions.propose
        self.approve = self.decisions.approve
        self.reject = self.decisions.reject
        self.withdraw = self.decisions.withdraw
        self.set_state = self.decisions.set_state
        self.change = self.decisions.change
        self.run_due = self.runner.run_due
        self.on_reading = AutoTopups(self.store, self.runner).on_reading
        self.by_number = self.store.by_number
        self.of_team = self.store.of_team
        self.runs_of = self.store.runs_of
        self.set_card = self.store.set_card
        self.claim_card = self.store.claim_card
        self.cards_owed = self.store.cards_owed
