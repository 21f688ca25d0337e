"""Test databases: a SQLite file, or (with DATABASE_URL set, as in CI) a fresh PostgreSQL
database created for the run. Migrations run once; tables are emptied between tests."""

from __future__ import annotations

import asyncio
import functools
import os
import shutil
import uuid
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.db.base import Base
from bot.db.session import Database, database_url


def is_postgres() -> bool:
    return bool(os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql")))


def worker() -> str:
    """The pytest-xdist worker running this process ("gw0", "gw1", …; "main" without xdist):
    each worker is its own session, with its own database, named after it."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def fresh_database_url(directory: Path) -> str:
    """A new, empty database of the kind this run tests."""
    if not is_postgres():
        return f"sqlite+aiosqlite:///{directory / f'test-{worker()}-{uuid.uuid4().hex[:8]}.db'}"
    server = make_url(database_url(os.environ["DATABASE_URL"]))
    name = f"partner_ops_test_{worker()}_{uuid.uuid4().hex[:10]}"
    asyncio.run(_create_database(server.render_as_string(hide_password=False), name))
    return server.set(database=name).render_as_string(hide_password=False)


async def _create_database(server_url: str, name: str) -> None:
    engine = create_async_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await engine.dispose()


def database_for_test(template_url: str, directory: Path) -> Database:
    """A database in the migrated state with no rows.

    SQLite: a copy of the migrated template file (audit rows cannot be deleted, by design).
    PostgreSQL: the run's database, emptied with TRUNCATE (which row triggers do not see).
    """
    if not is_postgres():
        template = Path(make_url(template_url).database or "")
        copy = directory / f"test-{uuid.uuid4().hex[:8]}.db"
        shutil.copyfile(template, copy)
        return Database(f"sqlite+aiosqlite:///{copy}")
    return Database(template_url)


async def empty_all_tables(database: Database) -> None:
    if database.is_sqlite:
        return  # a fresh copy of the template
    # TRUNCATE costs a new file per table and index: only the tables a test wrote to (rows
    # left, or a sequence moved by an insert rolled back) are emptied, found in one query.
    async with database.engine.begin() as connection:
        written = (await connection.execute(text(_written_tables_query()))).scalars().all()
        if written:
            names = ", ".join(f'"{name}"' for name in written)
            await connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@functools.cache
def _written_tables_query() -> str:
    with_rows = " UNION ".join(
        f"SELECT '{table.name}' WHERE EXISTS (SELECT 1 FROM \"{table.name}\")"  # noqa: S608 - our names
        for table in Base.metadata.sorted_tables
    )
    # pg_sequences.last_value is null until a sequence hands out a value, and again after
    # TRUNCATE ... RESTART IDENTITY.
    sequences_used = (
        "SELECT owner.relname FROM pg_class sequence"
        " JOIN pg_depend link ON link.objid = sequence.oid AND link.deptype IN ('a', 'i')"
        " JOIN pg_class owner ON owner.oid = link.refobjid"
        " JOIN pg_sequences used ON used.sequencename = sequence.relname"
        " AND used.schemaname = current_schema()"
        " WHERE sequence.relkind = 'S' AND used.last_value IS NOT NULL"
    )
    return f"{with_rows} UNION {sequences_used}"
