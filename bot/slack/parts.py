"""What the process-level Slack parts (token stores, workspace clients, the scheduler, the
maintenance jobs) take from the process: each names only what it reads, as a Protocol.

The process's wiring (`bot.runtime.Runtime`) has all of it, so the serving process, the worker,
the console and the tests hand it over as it is; no Slack module imports the wiring itself.
"""

from __future__ import annotations

from typing import Protocol

import aiohttp

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
from bot.services.requests import Requests
from bot.services.roles import Roles
from bot.services.settings_changes import SettingsChanges
from bot.services.snapshots import Snapshots
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
    def deliveries(self) -> Deliveries: ...

    @property
    def languages(self) -> Languages: ...

    @property
    def policies(self) -> Policies: ...

    @property
    def user_locales(self) -> UserLocales:
        """Whom the worker tells (requesters, askers) is told in their own language."""
        ...
