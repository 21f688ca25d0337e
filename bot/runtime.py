"""Everything a process holds once: settings, database, Partner transport, services.

Built by `Runtime.start()` and closed by `close()`; every entry point (serve, socket, console,
worker) builds one and hands it to the parts that need it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import aiohttp
from pydantic import SecretStr

from bot.config import Settings, SlackMode
from bot.db.crypto import SecretBox, load_secret_box
from bot.db.migrate import upgrade_async
from bot.db.session import Database, database_url, redacted
from bot.db.slack_tokens import reseal_tokens
from bot.partner.models import Product
from bot.partner.transport import PartnerTransport
from bot.services.alerts import Alerts
from bot.services.anomalies.incidents import Incidents
from bot.services.anomalies.ledger import Ledger
from bot.services.audit import AuditLog
from bot.services.batches.service import Batches
from bot.services.deliveries import Deliveries
from bot.services.digests import Digests
from bot.services.directory import GroupMembersCache
from bot.services.home import HomeService, HomeViewers
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
from bot.services.sweeping import Sweeping
from bot.services.turns import Turns
from bot.services.usage_statements import UsageStatements
from bot.shutdown import InFlight
from bot.slack.clients import SLACK_TIMEOUT_SECONDS
from bot.slack.home.pacing import HomeQueue
from bot.slack.home.refresh import HomeRefresher

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    settings: Settings
    mode: SlackMode
    database: Database
    transport: PartnerTransport
    box: SecretBox
    keys: PartnerKeys
    partner: PartnerAccess
    deliveries: Deliveries
    roles: Roles
    requests: Requests
    batches: Batches
    snapshots: Snapshots
    alerts: Alerts
    digests: Digests
    settings_changes: SettingsChanges
    languages: Languages
    policies: Policies
    audit: AuditLog
    home: HomeService
    home_viewers: HomeViewers
    ledger: Ledger
    incidents: Incidents
    usage: UsageStatements
    controls: SubaccountControls
    sweeping: Sweeping
    turns: Turns
    """Posting turns per channel, shared by every process (bot.services.turns)."""
    recurring: Recurring
    slack_session: aiohttp.ClientSession
    """One connection pool for every Slack Web API client (bot.slack.clients.web_client)."""
    group_members: GroupMembersCache = field(default_factory=GroupMembersCache)
    """User-group members per workspace for a minute, shared by every request."""
    user_locales: UserLocales = field(default_factory=UserLocales)
    """Users' languages from their Slack locale, for an hour (bot.slack.locale)."""
    inflight: InFlight = field(default_factory=InFlight)
    """Requests and listener tasks still running, waited for when the process stops."""
    homes: HomeQueue = field(default_factory=HomeQueue)
    """Home tabs to publish, per workspace within views.publish's tier (bot.slack.home)."""
    home_refresh: HomeRefresher = field(default_factory=HomeRefresher)
    """How a settings change or a key saved redraws the Homes (bot.slack.parts.HomeRefresh)."""

    @classmethod
    async def start(
        cls,
        settings: Settings,
        *,
        mode: SlackMode | None = None,
        migrate: bool | None = None,
    ) -> Runtime:
        """Open the database and the Partner transport.

        `migrate=None` migrates SQLite only: a PostgreSQL deployment migrates once in its
        release phase (`python -m bot db upgrade`), not in every process that starts.
        """
        mode = mode or settings.slack_mode
        database = Database(database_url(settings.database_url))
        configured_key = settings.bot_encryption_key
        # A generated key file is fine beside a local SQLite file. Many workspaces hold other
        # companies' keys, and a shared PostgreSQL outlives any one machine's files: there a
        # key must be configured, not invented.
        may_generate = mode is SlackMode.SINGLE_WORKSPACE and database.is_sqlite
        box = load_secret_box(
            configured_key.get_secret_value() if configured_key else None,
            key_file=settings.bot_encryption_key_file if may_generate else None,
        )
        if migrate or (migrate is None and database.is_sqlite):
            log.info("migrating %s", redacted(database.url))
            await upgrade_async(database.url)
        if mode is SlackMode.MANY_WORKSPACES:
            # Rows saved before Slack tokens were encrypted (migration 0006 cannot do it: the
            # key is not the migration's to know). Idempotent, and a no-op once all are sealed.
            sealed = await reseal_tokens(database, box, rotate=False)
            if sealed:
                log.info("encrypted %d Slack token(s) stored in plain text", sealed)
        environment_keys: dict[Product, SecretStr] = {}
        if mode is SlackMode.SINGLE_WORKSPACE:
            for product in Product:
                key = settings.partner_api_key(product)
                if key is not None and key.get_secret_value():
                    environment_keys[product] = key
        transport = PartnerTransport(
            timeouts=settings.partner_timeouts,
            retry=settings.partner_retry,
            per_key_concurrency=settings.partner_concurrency_per_key,
        )
        keys = PartnerKeys(
            database, box, environment_keys, kept_seconds=settings.partner_keys_cache_seconds
        )
        partner = PartnerAccess(keys, transport, {p: settings.partner_url(p) for p in Product})
        roles = Roles(database)
        controls = SubaccountControls(database)
        requests = Requests(
            database,
            partner,
            roles,
            lease_seconds=settings.execution_lease_seconds,
            settle_seconds=settings.reconcile_settle_seconds,
            card_grace_seconds=settings.card_grace_seconds,
            similar_window_seconds=settings.similar_request_window_seconds,
            controls=controls,
        )
        snapshots = Snapshots(database, partner)
        alerts = Alerts(database)
        digests = Digests(database, partner, snapshots, alerts, requests)
        recurring = Recurring(database, requests, partner, roles, frozen=controls.is_frozen)
        batches = Batches(database, partner, roles, lease_seconds=settings.execution_lease_seconds)
        home = HomeService(
            database=database,
            keys=keys,
            partner=partner,
            roles=roles,
            requests=requests,
            snapshots=snapshots,
            alerts=alerts,
            digests=digests,
            controls=controls,
            recurring=recurring,
            batches=batches,
        )
        return cls(
            settings=settings,
            mode=mode,
            database=database,
            transport=transport,
            box=box,
            keys=keys,
            partner=partner,
            deliveries=Deliveries(database),
            roles=roles,
            requests=requests,
            batches=batches,
            snapshots=snapshots,
            alerts=alerts,
            digests=digests,
            settings_changes=SettingsChanges(database, roles, keys),
            languages=Languages(database),
            policies=Policies(database),
            audit=AuditLog(database),
            home=home,
            home_viewers=HomeViewers(database),
            ledger=Ledger(database, partner),
            incidents=Incidents(database),
            usage=UsageStatements(database),
            controls=controls,
            sweeping=Sweeping(partner, requests, controls),
            turns=Turns(database),
            recurring=recurring,
            homes=HomeQueue(settings.home_publishes_per_minute),
            # Without a shared session slack_sdk opens (and closes) one, and a connection, for
            # every call. The session carries the timeout (slack_sdk's default of 30 s).
            slack_session=aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=SLACK_TIMEOUT_SECONDS)
            ),
        )

    async def close(self) -> None:
        """Close the clients. A process that serves Slack drains `inflight` first
        (bot.serve): a listener still running would find its clients closed."""
        await self.slack_session.close()
        await self.transport.close()
        await self.deliveries.close()
        await self.database.dispose()
