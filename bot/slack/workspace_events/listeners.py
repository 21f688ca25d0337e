"""Workspace lifecycle events, user group changes, and the App Home tab."""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore

from bot.services.directory import GroupMembersCache
from bot.slack import stores
from bot.slack.context import Services
from bot.slack.installation_cache import CachedInstallationStore

log = logging.getLogger(__name__)


async def forget(
    context: AsyncBoltContext,
    services: Services,
    installation_store: AsyncInstallationStore | None,
) -> None:
    # The same (enterprise, team) key Bolt installed and authorises with. For these two
    # events Bolt makes no auth.test call and takes both ids from the signed request's
    # `authorizations` — the installation that lost its token, org included.
    team_id, enterprise_id = context.team_id, context.enterprise_id
    teams = [team_id] if team_id else []
    org_wide = team_id is None and enterprise_id is not None
    if org_wide and isinstance(
        installation_store, stores.EncryptedInstallationStore | CachedInstallationStore
    ):
        # Uninstalled from a whole org: the org's own token and every workspace of it.
        assert enterprise_id is not None
        teams = await installation_store.delete_enterprise(enterprise_id)
    elif installation_store is not None:
        await installation_store.async_delete_all(enterprise_id=enterprise_id, team_id=team_id)
    removed = 0
    for team in teams:
        # Nothing left to post with: digests and alerts of this workspace go too. The
        # Partner keys last: once they are gone, so is everything else of the workspace.
        await services.digests.forget_workspace(team)
        await services.alerts.forget_workspace(team)
        # A key waiting for confirmation goes with the keys: confirmed after a reinstall, it
        # would put in use a key chosen before the uninstall.
        await services.settings_changes.forget_key_changes(team)
        removed += await services.keys.forget_workspace(team)
    log.info(
        "%s: Slack tokens and %d Partner key(s) deleted",
        f"workspace {team_id}" if team_id else f"org {enterprise_id} ({len(teams)} workspaces)",
        removed,
    )


async def uninstalled(
    context: AsyncBoltContext,
    services: Services,
    *,
    installation_store: AsyncInstallationStore | None,
) -> None:
    await forget(context, services, installation_store)


async def revoked(
    context: AsyncBoltContext,
    event: dict[str, Any],
    services: Services,
    *,
    installation_store: AsyncInstallationStore | None,
) -> None:
    # Only the bot token matters here: without it the workspace is as good as uninstalled
    # (the app installs bot-only, so the installation rows go with it).
    if (event.get("tokens") or {}).get("bot"):
        await forget(context, services, installation_store)


# Group members are cached for a minute (bot.services.directory): a change Slack tells
# us about is seen at once. Needs the manifest to subscribe to these events (scope
# usergroups:read); without them the cache's time limit is what bounds staleness.
async def group_members_changed(
    context: AsyncBoltContext, event: dict[str, Any], group_members: GroupMembersCache
) -> None:
    if context.team_id and event.get("subteam_id"):
        group_members.forget(context.team_id, event["subteam_id"])


async def group_updated(
    context: AsyncBoltContext, event: dict[str, Any], group_members: GroupMembersCache
) -> None:
    group_id = (event.get("subteam") or {}).get("id")
    if context.team_id and group_id:
        group_members.forget(context.team_id, group_id)


def register(app: AsyncApp, installation_store: AsyncInstallationStore | None) -> None:
    """`installation_store` is the app's own (None in single-workspace mode): bound here, as
    it is no service of the context."""
    app.event("app_uninstalled")(partial(uninstalled, installation_store=installation_store))
    app.event("tokens_revoked")(partial(revoked, installation_store=installation_store))
    app.event("subteam_members_changed")(group_members_changed)
    app.event("subteam_updated")(group_updated)
