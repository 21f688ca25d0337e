"""What every listener may use, put on Bolt's context by one middleware.

Bolt hands a listener any context key it names as a parameter (slack_bolt's kwargs injection
falls back to `request.context`), so listeners are plain module-level functions:

    async def approve(ack, action, context, requests: Requests, directory: SlackDirectory): ...

and no Slack module needs the process's wiring (`bot.runtime`). The services are built once per
process (`Services`); the directory is per request, because it remembers the users it looked up
for that request only.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, fields
from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Settings
from bot.services.alerts import Alerts
from bot.services.anomalies.incidents import Incidents
from bot.services.anomalies.ledger import Ledger
from bot.services.audit import AuditLog
from bot.services.batches.service import Batches
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
from bot.slack.directory import SlackDirectory
from bot.slack.home.pacing import HomeQueue
from bot.slack.parts import HomeRefresh


@dataclass(frozen=True)
class Services:
    """The process's services, by the names listeners ask for them."""

    settings: Settings
    keys: PartnerKeys
    partner: PartnerAccess
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
    group_members: GroupMembersCache
    user_locales: UserLocales
    inflight: InFlight
    """Work the process waits for when it stops: background Home republishing too."""
    homes: HomeQueue
    """Home publishing, coalesced and paced per workspace (bot.slack.home.pacing)."""
    home_refresh: HomeRefresh
    """Homes drawn again after a change, for features that do not import the Home."""


DIRECTORY = "directory"
"""Context key of the request's SlackDirectory (users and groups looked up once per request)."""

SERVICES = "services"
"""Context key of the whole `Services`, for helpers that take them together."""


CONTEXT_KEYS = (*(field.name for field in fields(Services)), DIRECTORY, SERVICES)
"""Every key the middleware below puts on the context: what a listener may name."""


def provide_services(services: Services) -> Callable[..., Awaitable[None]]:
    """Global middleware, after the workspace guard (which fixes `context.team_id`): every
    service under its own name, the bundle under `services`, and the request's directory."""
    names = [field.name for field in fields(Services)]

    async def middleware(context: dict[str, Any], next_: Callable[[], Awaitable[None]]) -> None:
        context[SERVICES] = services
        for name in names:
            context[name] = getattr(services, name)
        context[DIRECTORY] = SlackDirectory(
            context["client"], services.group_members, context.get("team_id")
        )
        await next_()

    return middleware


def workspace_of(context: dict[str, Any]) -> str:
    """The workspace a listener acts in: the authorised one, fixed by bot.slack.workspace_guard
    (never a payload's team_id)."""
    team_id = context.get("team_id")
    assert team_id, "a request Bolt authorised for no workspace reached a listener"
    return str(team_id)


@dataclass(frozen=True)
class SlashCommand:
    """One `/partner` call, acknowledged and parsed, as each subcommand's handler gets it:
    `async def handler(parsed: TheCommand, call: SlashCommand) -> None`. Typed in Slack
    (`of`), or made from a Home form (bot.slack.home.listeners): who asks, in which channel,
    where the answer goes."""

    user_id: str
    channel_id: str
    """Where it was typed: the channel a command that acts in its channel acts in."""
    trigger_id: str
    respond: AsyncRespond
    client: AsyncWebClient
    context: AsyncBoltContext

    @classmethod
    def of(
        cls,
        command: dict[str, Any],
        respond: AsyncRespond,
        client: AsyncWebClient,
        context: AsyncBoltContext,
    ) -> SlashCommand:
        """The call Slack's command payload makes."""
        return cls(
            user_id=str(command["user_id"]),
            channel_id=str(command.get("channel_id") or ""),
            trigger_id=str(command.get("trigger_id") or ""),
            respond=respond,
            client=client,
            context=context,
        )

    @property
    def team_id(self) -> str:
        """The authorised workspace (bot.slack.workspace_guard), never the payload's."""
        return str(self.context["team_id"])

    @property
    def services(self) -> Services:
        services: Services = self.context[SERVICES]
        return services

    @property
    def directory(self) -> SlackDirectory:
        directory: SlackDirectory = self.context[DIRECTORY]
        return directory
