"""slack_sdk's installation and OAuth-state stores, on the tables our migrations create."""

from __future__ import annotations

from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore

from bot.db.base import BOTS_TABLE, INSTALLATIONS_TABLE, OAUTH_STATES_TABLE
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
