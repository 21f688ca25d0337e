"""Between tests the database is emptied: no test sees a row or a sequence value another
left (tests/database.py; PostgreSQL empties the run's database, SQLite copies the template)."""

from __future__ import annotations

import asyncio
import os
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy import JSON, Column, Integer, Table, insert, inspect, text
from sqlalchemy.engine import make_url

import bot.db.models  # noqa: F401 - registers every table on the metadata
from bot.db.base import Base
from bot.db.session import Database, database_url
from bot.db.types import Money
from tests.database import (
    RunDatabases,
    TableReset,
    asyncpg_dsn,
    database_for_next_test,
    is_postgres,
)

postgres_only = pytest.mark.skipif(not is_postgres(), reason="PostgreSQL's reset and databases")


def a_value(column: Column[Any]) -> Any:
    """Any value the column takes (foreign keys: 1, the first row of the parent)."""
    if isinstance(column.type, Money):
        return Decimal("1")
    if isinstance(column.type, JSON):
        return {}
    python_type = column.type.python_type
    return {
        str: "1",
        int: 1,
        float: 1.0,
        bool: False,
        datetime: datetime(2026, 1, 1),
    }[python_type]


def has_sequence(table: Table) -> bool:
    key = list(table.primary_key.columns)
    return len(key) == 1 and isinstance(key[0].type, Integer) and key[0].autoincrement is not False


def a_row(table: Table) -> dict[str, Any]:
    return {
        column.name: a_value(column)
        for column in table.columns
        if not column.nullable
        and column.default is None
        and column.server_default is None
        and not (column.primary_key and has_sequence(table))
    }


async def tables_with_rows(database: Database) -> set[str]:
    async with database.engine.connect() as connection:
        names = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
        counted = {
            name: (await connection.execute(text(f'SELECT count(*) FROM "{name}"'))).scalar()  # noqa: S608
            for name in names
            if name != "alembic_version"
        }
    return {name for name, count in counted.items() if count}


async def test_the_next_test_finds_every_table_empty_and_every_id_at_1(
    database: Database,
    migrated_database_url: str,
    table_reset: TableReset | None,
    tmp_path: Path,
) -> None:
    async with database.session() as session:
        for table in Base.metadata.sorted_tables:  # parents first: their ids are 1
            await session.execute(insert(table).values(a_row(table)))
    with_rows = await tables_with_rows(database)
    assert with_rows == set(Base.metadata.tables)  # every table the migrations made

    following = await database_for_next_test(migrated_database_url, table_reset, tmp_path)
    try:
        assert await tables_with_rows(following) == set()
        async with following.session() as session:
            for table in Base.metadata.sorted_tables:
                row = insert(table).values(a_row(table))
                if has_sequence(table):
                    ids = (await session.execute(row.returning(*table.primary_key))).scalars()
                    assert ids.all() == [1], table.name
                else:
                    await session.execute(row)
    finally:
        await following.dispose()


async def test_a_sequence_moved_by_an_insert_rolled_back_starts_again(
    database: Database,
    migrated_database_url: str,
    table_reset: TableReset | None,
    tmp_path: Path,
) -> None:
    """No row is left, but the id handed out is: the next test's first row would be id 2."""
    audit_log = Base.metadata.tables["audit_log"]
    async with database.engine.connect() as connection:
        await connection.execute(insert(audit_log).values(a_row(audit_log)))
        await connection.rollback()
    assert await tables_with_rows(database) == set()

    following = await database_for_next_test(migrated_database_url, table_reset, tmp_path)
    try:
        async with following.session() as session:
            row = insert(audit_log).values(a_row(audit_log)).returning(audit_log.c.id)
            assert (await session.execute(row)).scalar_one() == 1
    finally:
        await following.dispose()


@postgres_only
async def test_a_write_still_in_flight_is_waited_for_then_emptied(
    database: Database, table_reset: TableReset
) -> None:
    """A transaction an earlier test left writing (an app process not stopped yet) would
    commit its rows after a plain DELETE, into the next test."""
    audit_log = Base.metadata.tables["audit_log"]
    async with database.engine.connect() as writer:
        await writer.execute(insert(audit_log).values(a_row(audit_log)))
        reset = asyncio.create_task(table_reset())
        async with database.engine.connect() as watcher:
            await until_the_reset_waits_for_a_lock(watcher)
        await writer.commit()
    await reset
    assert await tables_with_rows(database) == set()


async def until_the_reset_waits_for_a_lock(connection: Any) -> None:
    waiting = text(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
        " AND query LIKE '%reset_tables()%' AND pid <> pg_backend_pid()"
    )
    for _ in range(1000):
        if (await connection.execute(waiting)).scalar():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the reset never waited for the writer")


async def database_names(server: str) -> set[str]:
    connection = await asyncpg.connect(server)
    try:
        return {row[0] for row in await connection.fetch("SELECT datname FROM pg_database")}
    finally:
        await connection.close()


@postgres_only
def test_the_databases_a_session_made_are_dropped_at_its_end(
    new_database_url: str, run_databases: RunDatabases, tmp_path: Path
) -> None:
    assert make_url(new_database_url).database in run_databases.names  # this one too, later
    databases = RunDatabases()
    urls = [make_url(databases.new_url(tmp_path)) for _ in range(2)]
    names = {url.database for url in urls}
    server_dsn = asyncpg_dsn(database_url(os.environ["DATABASE_URL"]))
    assert names <= asyncio.run(database_names(server_dsn))

    # A connection still open (an app process a failed test left running) does not keep one.
    loop = asyncio.new_event_loop()
    try:
        left_open = loop.run_until_complete(asyncpg.connect(asyncpg_dsn(urls[0])))
        databases.drop_all()
        left_open.terminate()
    finally:
        loop.close()
    assert names & asyncio.run(database_names(server_dsn)) == set()
    assert databases.names == []


@pytest.mark.parametrize(
    ("url", "dsn"),
    [
        ("postgresql+asyncpg://ops:s3cret@db:5433/app", "postgresql://ops:s3cret@db:5433/app"),
        ("postgresql+asyncpg://postgres@127.0.0.1/x", "postgresql://postgres@127.0.0.1/x"),
    ],
)
def test_the_server_is_reached_as_configured_password_included(url: str, dsn: str) -> None:
    assert asyncpg_dsn(url) == asyncpg_dsn(make_url(url)) == dsn
