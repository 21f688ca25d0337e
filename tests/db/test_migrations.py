"""The migrations and the models tell the same story, and migrations go both ways."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine

from bot.db.base import Base
from bot.db.migrate import downgrade, upgrade
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
