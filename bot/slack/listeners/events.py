"""Workspace lifecycle events (the App Home tab: bot.slack.home)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore

from bot.runtime import Runtime
from bot.slack import stores

log = logging.getLogger(__name__)


def register(
    app: AsyncApp, runtime: Runtime, installation_store: AsyncInstallationStore | None
) -> None:
    async def forget(context: AsyncBoltContext) -> None:
        # The same (enterprise, team) key Bolt installed and authorises with. For these two
        # events Bolt makes no auth.test call and takes both ids from the signed request's
        # `authorizations` — the installation that lost its token, org included.
        team_id, enterprise_id = context.team_id, context.enterprise_id
        teams = [team_id] if team_id else []
        org_wide = team_id is None and enterprise_id is not None
        if org_wide and isinstance(installation_store, stores.EncryptedInstallationStore):
            # Uninstalled from a whole org: the org's own token and every workspace of it.
            assert enterprise_id is not None
            teams = await installation_store.delete_enterprise(enterprise_id)
        elif installation_store is not None:
            await installation_store.async_delete_all(enterprise_id=enterprise_id, team_id=team_id)
        removed = 0
        for team in teams:
            # Nothing left to post with: digests and alerts of this workspace go too. The
            # Partner keys last: once they are gone, so is everything else of the workspace.
            await runtime.digests.forget_workspace(team)
            await runtime.alerts.forget_workspace(team)
            removed += await runtime.keys.forget_workspace(team)
        log.info(
            "%s: Slack tokens and %d Partner key(s) deleted",
            f"workspace {team_id}" if team_id else f"org {enterprise_id} ({len(teams)} workspaces)",
            removed,
        )

    @app.event("app_uninstalled")
    async def uninstalled(context: AsyncBoltContext) -> None:
        await forget(context)

    @app.event("tokens_revoked")
    async def revoked(context: AsyncBoltContext, event: dict[str, Any]) -> None:
        # Only the bot token matters here: without it the workspace is as good as uninstalled
        # (the app installs bot-only, so the installation rows go with it).
        if (event.get("tokens") or {}).get("bot"):
            await forget(context)

    # Group members are cached for a minute (bot.services.directory): a change Slack tells
    # us about is seen at once. Needs the manifest to subscribe to these events (scope
    # usergroups:read); without them the cache's time limit is what bounds staleness.
    @app.event("subteam_members_changed")
    async def group_members_changed(context: AsyncBoltContext, event: dict[str, Any]) -> None:
        if context.team_id and event.get("subteam_id"):
            runtime.group_members.forget(context.team_id, event["subteam_id"])

    @app.event("subteam_updated")
    async def group_updated(context: AsyncBoltContext, event: dict[str, Any]) -> None:
        group_id = (event.get("subteam") or {}).get("id")
        if context.team_id and group_id:
            runtime.group_members.forget(context.team_id, group_id)
