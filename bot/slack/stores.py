"""slack_sdk's installation and OAuth-state stores, on the tables our migrations create:
tokens encrypted at rest, one installation row per installer, states consumed once."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from logging import Logger
from typing import Protocol, TypeVar

from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.sqlalchemy_utils import normalize_datetime_for_db
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from sqlalchemy import and_, delete, desc, select, update

from bot.config import Settings
from bot.db.base import (
    BOTS_TABLE,
    INSTALLATIONS_TABLE,
    OAUTH_STATES_TABLE,
    SLACK_SECRET_COLUMNS,
    slack_bots,
    slack_installations,
)
from bot.db.crypto import SecretBox
from bot.db.session import Database
from bot.db.slack_tokens import seal, unseal

OAUTH_STATE_SECONDS = 600

_Record = TypeVar("_Record", Installation, Bot)


class StoreParts(Protocol):
    """The Slack token and OAuth state stores (bot.slack.stores): sealed rows in the database."""

    @property
    def settings(self) -> Settings: ...

    @property
    def database(self) -> Database: ...

    @property
    def box(self) -> SecretBox: ...


def installation_store(parts: StoreParts) -> EncryptedInstallationStore:
    assert parts.settings.slack_client_id
    return EncryptedInstallationStore(
        AsyncSQLAlchemyInstallationStore(
            client_id=parts.settings.slack_client_id,
            engine=parts.database.engine,
            bots_table_name=BOTS_TABLE,
            installations_table_name=INSTALLATIONS_TABLE,
        ),
        parts,
    )


class EncryptedInstallationStore(AsyncInstallationStore):
    """slack_sdk's SQLAlchemy store with every token encrypted at rest and no history.

    A wrapper, because slack_sdk has no encryption hook: `async_save` turns the Installation
    into a dict and inserts it as is, and the finders build entities straight from the rows.
    So tokens are sealed on the way in (a copy, the caller's object keeps its plain tokens)
    and opened on the way out, with the same rotating keys as the Partner keys
    (bot.db.crypto; `db rotate-keys` re-encrypts both).

    slack_sdk also keeps one row per install forever: a reinstall leaves the old token in the
    database. After each save the rows it replaced are deleted (same org, workspace and
    installer; for bots, same org and workspace), and older rows of other installers lose
    their bot token — slack_sdk already falls back to the latest bot row for those.
    """

    def __init__(self, inner: AsyncSQLAlchemyInstallationStore, parts: StoreParts) -> None:
        self._inner = inner
        self._box: SecretBox = parts.box
        self._database = parts.database
        self._client_id = inner.client_id

    @property
    def logger(self) -> Logger:
        return self._inner.logger

    def _sealed(self, record: _Record) -> _Record:
        sealed = copy.copy(record)
        for name in _TOKEN_FIELDS:
            if hasattr(sealed, name):
                setattr(sealed, name, seal(self._box, getattr(sealed, name)))
        return sealed

    def _opened(self, record: _Record | None) -> _Record | None:
        if record is None:
            return None
        for name in _TOKEN_FIELDS:
            if hasattr(record, name):
                setattr(record, name, unseal(self._box, getattr(record, name)))
        return record

    async def async_save(self, installation: Installation) -> None:
        # The inner save writes the installation, then its bot (already sealed, via the
        # inner store's own async_save_bot), so nothing is encrypted twice.
        await self._inner.async_save(self._sealed(installation))
        installed_at = normalize_datetime_for_db(installation.to_dict().get("installed_at"))
        await self._forget_older(
            installation.enterprise_id, installation.team_id, installed_at, installation.user_id
        )

    async def async_save_bot(self, bot: Bot) -> None:
        await self._inner.async_save_bot(self._sealed(bot))
        installed_at = normalize_datetime_for_db(bot.to_dict().get("installed_at"))
        await self._forget_older(bot.enterprise_id, bot.team_id, installed_at, None)

    async def _forget_older(
        self,
        enterprise_id: str | None,
        team_id: str | None,
        installed_at: datetime | None,
        user_id: str | None,
    ) -> None:
        bots, installs = slack_bots.c, slack_installations.c
        async with self._database.session() as session:
            await session.execute(
                delete(slack_bots).where(
                    bots.client_id == self._client_id,
                    bots.enterprise_id == enterprise_id,
                    bots.team_id == team_id,
                    bots.installed_at < installed_at,
                )
            )
            same_workspace = and_(
                installs.client_id == self._client_id,
                installs.enterprise_id == enterprise_id,
                installs.team_id == team_id,
                installs.installed_at < installed_at,
            )
            if user_id is not None:
                await session.execute(
                    delete(slack_installations).where(same_workspace, installs.user_id == user_id)
                )
            await session.execute(
                update(slack_installations)
                .where(same_workspace)
                .values(bot_token=None, bot_refresh_token=None, bot_token_expires_at=None)
            )

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        return self._opened(
            await self._inner.async_find_bot(
                enterprise_id=enterprise_id,
                team_id=team_id,
                is_enterprise_install=is_enterprise_install,
            )
        )

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        return self._opened(
            await self._inner.async_find_installation(
                enterprise_id=enterprise_id,
                team_id=team_id,
                user_id=user_id,
                is_enterprise_install=is_enterprise_install,
            )
        )

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await self._inner.async_delete_bot(enterprise_id=enterprise_id, team_id=team_id)

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        await self._inner.async_delete_installation(
            enterprise_id=enterprise_id, team_id=team_id, user_id=user_id
        )

    async def async_delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await self._inner.async_delete_all(enterprise_id=enterprise_id, team_id=team_id)

    async def delete_enterprise(self, enterprise_id: str) -> list[str]:
        """Forget an Enterprise Grid org: its own rows and those of every workspace installed
        in it. Returns those workspaces' team ids (their other data goes too)."""
        bots, installs = slack_bots.c, slack_installations.c
        async with self._database.session() as session:
            teams: set[str] = set()
            for table in (slack_bots, slack_installations):
                c = table.c
                rows = await session.execute(
                    select(c.team_id)
                    .where(c.client_id == self._client_id, c.enterprise_id == enterprise_id)
                    .distinct()
                )
                teams |= {team for team in rows.scalars() if team}
            await session.execute(
                delete(slack_bots).where(
                    bots.client_id == self._client_id, bots.enterprise_id == enterprise_id
                )
            )
            await session.execute(
                delete(slack_installations).where(
                    installs.client_id == self._client_id, installs.enterprise_id == enterprise_id
                )
            )
        return sorted(teams)


# Every attribute of slack_sdk's Installation and Bot that the secret columns store.
_TOKEN_FIELDS = tuple(sorted({name for names in SLACK_SECRET_COLUMNS.values() for name in names}))


def oauth_state_store(parts: StoreParts) -> OnceOnlyOAuthStateStore:
    return OnceOnlyOAuthStateStore(
        expiration_seconds=OAUTH_STATE_SECONDS,
        engine=parts.database.engine,
        table_name=OAUTH_STATES_TABLE,
    )


class OnceOnlyOAuthStateStore(AsyncSQLAlchemyOAuthStateStore):
    """slack_sdk's state store, with a state good exactly once and expired states purged.

    slack_sdk's `async_consume` SELECTs the state, then DELETEs it by id: two redirects with
    the same state and cookie arriving together both find the row before either deletes it,
    and both run the install. Here one `DELETE … RETURNING` (SQLite ≥ 3.35, PostgreSQL)
    decides: the row goes to whichever statement deletes it, the other gets nothing back.
    slack_sdk's version also logs the state (DEBUG) and puts it in its WARNING on failure.

    `/slack/install` issues a state per visit, anonymous visits included, and slack_sdk never
    deletes one that is not consumed: expired states go each time a state is issued or
    consumed, so the table holds at most the last ten minutes of visits.
    """

    async def async_issue(self, *args: object, **kwargs: object) -> str:
        await self.purge_expired()
        return await super().async_issue(*args, **kwargs)

    async def async_consume(self, state: str) -> bool:
        table = self.oauth_states
        async with self.engine.begin() as connection:
            consumed = await connection.execute(
                delete(table)
                .where(table.c.state == state, table.c.expire_at > _now())
                .returning(table.c.id)
            )
            found = consumed.first() is not None
        await self.purge_expired()
        return found

    async def purge_expired(self) -> int:
        table = self.oauth_states
        async with self.engine.begin() as connection:
            result = await connection.execute(delete(table).where(table.c.expire_at <= _now()))
        return result.rowcount or 0


def _now():
    # As slack_sdk writes `expire_at`: naive UTC.
    return normalize_datetime_for_db(datetime.now(tz=UTC))


async def enterprise_of(parts: StoreParts, team_id: str) -> str | None:
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
    assert parts.settings.slack_client_id
    c = slack_bots.c
    query = (
        select(c.enterprise_id)
        .where(
            c.client_id == parts.settings.slack_client_id,
            c.team_id == team_id,
            c.bot_token.is_not(None),
        )
        .order_by(desc(c.installed_at), desc(c.id))
        .limit(1)
    )
    async with parts.database.session() as session:
        return (await session.execute(query)).scalar_one_or_none()
