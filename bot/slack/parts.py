"""What the process-level Slack parts (token stores, workspace clients, the scheduler, the
maintenance jobs) take from the process: each names only what it reads, as a Protocol.

The process's wiring (`bot.runtime.Runtime`) has all of it, so the serving process, the worker,
the console and the tests hand it over as it is; no Slack module imports the wiring itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

import aiohttp
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Settings, SlackMode
from bot.services.alerts import Alerts
from bot.services.anomalies.ledger import Ledger
from bot.services.batches.service import Batches
from bot.services.deliveries import Deliveries
from bot.services.digests import Digests
from bot.services.languages import Languages, UserLocales
from bot.services.partner_access import PartnerAccess
from bot.services.partner_keys import PartnerKeys
from bot.services.policy import Policies
from bot.services.recurring.service import Recurring
from bot.services.requests import Requests
from bot.services.roles import Roles
from bot.services.settings_changes import SettingsChanges
from bot.services.snapshots import Snapshots
from bot.services.subaccount_controls import SubaccountControls
from bot.services.turns import Turns
from bot.slack.stores import StoreParts


class ClientParts(StoreParts, Protocol):
    """Web API clients (bot.slack.clients): the shared HTTP session, and for a workspace's
    client outside a request, which workspaces the process serves."""

    @property
    def mode(self) -> SlackMode: ...

    @property
    def slack_session(self) -> aiohttp.ClientSession: ...

    @property
    def keys(self) -> PartnerKeys: ...

    @property
    def digests(self) -> Digests: ...

    @property
    def snapshots(self) -> Snapshots: ...

    @property
    def turns(self) -> Turns: ...


class SchedulerParts(Protocol):
    """The scheduled jobs (bot.slack.scheduler): digests, balance readings, alerts."""

    @property
    def settings(self) -> Settings: ...

    @property
    def languages(self) -> Languages: ...

    @property
    def ledger(self) -> Ledger: ...

    @property
    def user_locales(self) -> UserLocales: ...

    @property
    def digests(self) -> Digests: ...

    @property
    def roles(self) -> Roles: ...

    @property
    def partner(self) -> PartnerAccess: ...

    @property
    def snapshots(self) -> Snapshots: ...

    @property
    def alerts(self) -> Alerts: ...

    @property
    def controls(self) -> SubaccountControls: ...
    def recurring(self) -> Recurring:
        """Automatic top-ups, called with each ledger reading."""
        ...


class MaintenanceParts(StoreParts, Protocol):
    """The maintenance jobs (bot.slack.maintenance): requests and setting changes that fell
    due, old delivery records, and the OAuth state rows the stores purge."""

    @property
    def requests(self) -> Requests: ...

    @property
    def batches(self) -> Batches: ...

    @property
    def settings_changes(self) -> SettingsChanges: ...

    @property
    def recurring(self) -> Recurring:
        """Recurring top-ups: each due period run once (bot.services.recurring)."""
        ...

    @property
    def deliveries(self) -> Deliveries: ...

    @property
    def languages(self) -> Languages: ...

    @property
    def policies(self) -> Policies: ...

    @property
    def roles(self) -> Roles:
        """Whom a waiting request's reminder and escalation go to."""
        ...

    @property
    def user_locales(self) -> UserLocales:
        """Whom the worker tells (requesters, askers) is told in their own language."""
        ...

    @property
    def home_refresh(self) -> HomeRefresh:
        """A setting change settled by the worker redraws the Homes that show settings."""
        ...


class HomeRefresh(Protocol):
    """Homes drawn again after a change somewhere else (a setting, a key): what the features
    that change things call, so that none of them imports the Home, which shows them all
    (bot.slack.home.refresh `HomeRefresher`). `parts` is the process's services or wiring,
    whichever the caller holds."""

    def settings_changed(self, parts: Any, client: AsyncWebClient, team_id: str) -> None:
        """Every opened Home of the workspace, in the background."""
        ...

    async def republish(
        self, parts: Any, client: AsyncWebClient, team_id: str, user_ids: Iterable[str]
    ) -> int:
        """These people's Homes, now; how many were published."""
        ...
