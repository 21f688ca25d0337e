"""slack_sdk's installation and OAuth-state stores, on the tables our migrations create."""

from __future__ import annotations

from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from sqlalchemy import desc, select

from bot.db.base import BOTS_TABLE, INSTALLATIONS_TABLE, OAUTH_STATES_TABLE, slack_bots
from bot.runtime import Runtime

OAUTH_STATE_SECONDS = 600


def installation_store(runtime: Runtime) -> AsyncSQLAlchemyInstallationStore:
    assert runtime.settings.slack_client_id
    return AsyncSQLAlchemyInstallationStore(
        client_id=runtime.settings.slack_client_id,
        engine=runtime.database.engine,
        bots_table_name=BOTS_TABLE,
        installations_table_name=INSTALLATIONS_TABLE,
    )


def oauth_state_store(runtime: Runtime) -> AsyncSQLAlchemyOAuthStateStore:
    return AsyncSQLAlchemyOAuthStateStore(
        expiration_seconds=OAUTH_STATE_SECONDS,
        engine=runtime.database.engine,
        table_name=OAUTH_STATES_TABLE,
    )


async def enterprise_of(runtime: Runtime, team_id: str) -> str | None:
    """The Enterprise Grid org a workspace was installed in (None outside any org), read from
    the workspace's latest installation — what slack_sdk's `find_bot` needs with `team_id`.

    Why the installation table, rather than an `enterprise_id` copied beside every `team_id`
    the product stores (keys, requests, digests, alerts):
    - it is the one record of where a workspace lives, written by Bolt at every install and
      reinstall; a copy would go stale when a workspace joins or leaves an org (its team id
      stays the same) and would drag a Slack notion into every service;
    - team ids are unique across Slack, org workspaces included, so team → installation is
      unambiguous; of several installs of one team (a reinstall after moving into an org)
      the latest with a bot token is the one Bolt itself would use, and so do we;
    - the app installs per workspace (no org-wide install in the manifest), so every
      installation row names its team.
    """
    assert runtime.settings.slack_client_id
    c = slack_bots.c
    query = (
        select(c.enterprise_id)
        .where(
            c.client_id == runtime.settings.slack_client_id,
            c.team_id == team_id,
            c.bot_token.is_not(None),
        )
        .order_by(desc(c.installed_at), desc(c.id))
        .limit(1)
    )
    async with runtime.database.session() as session:
        return (await session.execute(query)).scalar_one_or_none()
