"""The one metadata alembic owns: our models plus slack_sdk's OAuth store tables."""

from __future__ import annotations

from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from sqlalchemy import MetaData, Text
from sqlalchemy.orm import DeclarativeBase

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

INSTALLATIONS_TABLE = "slack_installations"
BOTS_TABLE = "slack_bots"
OAUTH_STATES_TABLE = "slack_oauth_states"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


# Built with slack_sdk's own public builders so the stores and our migrations agree on every
# column; the stores are constructed with the same table names (see bot.slack.stores).
slack_installations = AsyncSQLAlchemyInstallationStore.build_installations_table(
    Base.metadata, INSTALLATIONS_TABLE
)
slack_bots = AsyncSQLAlchemyInstallationStore.build_bots_table(Base.metadata, BOTS_TABLE)
slack_oauth_states = AsyncSQLAlchemyOAuthStateStore.build_oauth_states_table(
    Base.metadata, OAUTH_STATES_TABLE
)

# Columns that hold a Slack secret, stored Fernet-encrypted (bot.slack.stores): a token of
# 200 characters is ~350 once encrypted, so they are Text rather than slack_sdk's String(200).
SLACK_SECRET_COLUMNS = {
    slack_installations: (
        "bot_token",
        "bot_refresh_token",
        "user_token",
        "user_refresh_token",
        "incoming_webhook_url",
    ),
    slack_bots: ("bot_token", "bot_refresh_token"),
}
for _table, _names in SLACK_SECRET_COLUMNS.items():
    for _name in _names:
        _table.c[_name].type = Text()
