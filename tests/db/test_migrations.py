"""The migrations and the models tell the same story, and migrations go both ways."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import delete, insert, inspect, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine

from bot.db.base import Base
from bot.db.migrate import downgrade, upgrade
from bot.db.models import AuditEntry
from bot.db.session import Database
from tests.database import fresh_database_url


async def _differences(url: str) -> list:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(
                lambda sync: compare_metadata(
                    MigrationContext.configure(sync, opts={"compare_type": True}), Base.metadata
                )
            )
    finally:
        await engine.dispose()


async def _tables(url: str) -> set[str]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            return set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))
    finally:
        await engine.dispose()


async def test_autogenerate_finds_nothing_to_change(migrated_database_url: str) -> None:
    assert await _differences(migrated_database_url) == []


def test_upgrade_downgrade_upgrade(tmp_path: Path) -> None:
    import asyncio

    url = fresh_database_url(tmp_path)
    upgrade(url)
    expected = set(Base.metadata.tables)
    assert expected <= asyncio.run(_tables(url))
    downgrade(url, "base")
    assert asyncio.run(_tables(url)) & expected == set()
    upgrade(url)
    assert expected <= asyncio.run(_tables(url))
    assert asyncio.run(_differences(url)) == []


async def test_the_audit_log_refuses_updates_and_deletes(database: Database) -> None:
    async with database.session() as session:
        await session.execute(insert(AuditEntry).values(team_id="T1", action="test", details={}))
    for statement in (
        update(AuditEntry).values(action="rewritten"),
        delete(AuditEntry),
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            async with database.session() as session:
                await session.execute(statement)
    async with database.session() as session:
        assert (await session.scalars(select(AuditEntry.action))).all() == ["test"]
