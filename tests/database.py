"""Test databases: a SQLite file, or (with DATABASE_URL set, as in CI) PostgreSQL databases
created for the run and dropped when it ends. Migrations run once; tables are emptied between
tests."""

from __future__ import annotations

import asyncio
import os
import shutil
import threading
import uuid
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
from sqlalchemy import event
from sqlalchemy.engine import URL, make_url

from bot.db.session import Database, database_url

T = TypeVar("T")


def is_postgres() -> bool:
    return bool(os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql")))


def worker() -> str:
    """The pytest-xdist worker running this process ("gw0", "gw1", …; "main" without xdist):
    each worker is its own session, with its own database, named after it."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def asyncpg_dsn(url: str | URL) -> str:
    """asyncpg's own spelling of a SQLAlchemy URL (no `+asyncpg`), password included."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class RunDatabases:
    """The databases this session makes. PostgreSQL's are dropped when it ends (`drop_all`):
    before, every run left its own behind and a developer's server collected hundreds.
    A run that is killed (SIGKILL, a crashed worker) never gets there and still leaks its
    databases, named `partner_ops_test_<worker>_<hex>`; that is accepted. SQLite files live
    in pytest's temporary folders, which pytest prunes itself."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def new_url(self, directory: Path) -> str:
        """A new, empty database of the kind this run tests."""
        if not is_postgres():
            name = f"test-{worker()}-{uuid.uuid4().hex[:8]}.db"
            return f"sqlite+aiosqlite:///{directory / name}"
        server = make_url(database_url(os.environ["DATABASE_URL"]))
        name = f"partner_ops_test_{worker()}_{uuid.uuid4().hex[:10]}"
        asyncio.run(_on_server(asyncpg_dsn(server), f'CREATE DATABASE "{name}"'))
        self.names.append(name)
        return server.set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        if not self.names:
            return
        server = asyncpg_dsn(database_url(os.environ["DATABASE_URL"]))
        # FORCE: an app process a failed test left running must not keep its database alive.
        drops = [f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)' for name in self.names]
        asyncio.run(_on_server(server, *drops))
        self.names.clear()


async def _on_server(dsn: str, *statements: str) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


def database_for_test(template_url: str, directory: Path) -> Database:
    """A database in the migrated state with no rows.

    SQLite: a copy of the migrated template file (audit rows cannot be deleted, by design).
    PostgreSQL: the run's database, emptied before each test (`TableReset`).
    """
    if not is_postgres():
        template = Path(make_url(template_url).database or "")
        copy = directory / f"test-{uuid.uuid4().hex[:8]}.db"
        shutil.copyfile(template, copy)
        return Database(f"sqlite+aiosqlite:///{copy}")
    return Database(template_url)


async def database_for_next_test(
    template_url: str, reset: TableReset | None, directory: Path
) -> Database:
    """What the `database` fixture hands each test: the run's tables emptied (PostgreSQL),
    then a database on them."""
    if reset is not None:
        await reset()
    return database_for_test(template_url, directory)


_TABLES = (
    "SELECT format('%I', relname) FROM pg_class WHERE relkind = 'r'"
    " AND relnamespace = current_schema()::regnamespace AND relname <> 'alembic_version'"
    " ORDER BY relname"
)
_SEQUENCES = (
    "SELECT format('(%L::regclass, %s)', format('%I.%I', schemaname, sequencename), start_value)"
    " FROM pg_sequences WHERE schemaname = current_schema() ORDER BY sequencename"
)


async def _reset_body(connection: asyncpg.Connection) -> str:
    """PL/pgSQL that empties every table written to and rewinds every sequence used, in one
    transaction. The migrated schema's tables and sequences are written out: static
    statements, which a session running them again does not plan again.

    DELETE, not TRUNCATE: TRUNCATE makes new files for each table and index (and, with
    CASCADE, for every table referencing it), ~3 ms a table; DELETE of a test's few rows
    costs microseconds. `session_replication_role = replica`, for this transaction only,
    skips the row triggers: the audit log's append-only guard (it stays in the schema for
    everyone else: tests/db/test_migrations.py) and the foreign keys' checks, which have
    nothing to check once every written table is emptied. The SHARE lock waits for any
    transaction still writing (which a DELETE would not) so its rows cannot land after it.
    """
    tables = [row[0] for row in await connection.fetch(_TABLES)]  # quoted by the server
    sequences = [row[0] for row in await connection.fetch(_SEQUENCES)]
    statements = [
        "PERFORM set_config('lock_timeout', '20s', true);",
        f"LOCK TABLE {', '.join(tables)} IN SHARE MODE;",
        "PERFORM set_config('session_replication_role', 'replica', true);",
    ]
    statements += [
        f"IF EXISTS (SELECT FROM {t}) THEN DELETE FROM {t}; END IF;"  # noqa: S608 - the catalog's
        for t in tables
    ]
    if sequences:
        # last_value is null until a sequence hands out a value (inserts rolled back count
        # too), and again after setval(..., false).
        statements.append(
            f"PERFORM setval(used, first, false) FROM (VALUES {', '.join(sequences)})"
            " AS sequence(used, first) WHERE pg_sequence_last_value(used) IS NOT NULL;"
        )
    return "BEGIN\n" + "\n".join(statements) + "\nEND"


class TableReset:
    """Empties the run's PostgreSQL database before each test through one connection kept
    for the whole session, in one round trip (`SELECT pg_temp.reset_tables()`).

    A new connection per test cost more than the reset itself: a backend starts, then reads
    the catalog for every table cold. Each test has its own event loop (and an asyncpg
    connection belongs to one), so this connection lives on a loop of its own, in a thread.
    The function is temporary: it lives in this session only, never in the schema.
    """

    def __init__(self, url: str) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="database-reset", daemon=True
        )
        self._thread.start()
        self._connection: asyncpg.Connection = self._wait(self._open(asyncpg_dsn(url)))

    @staticmethod
    async def _open(dsn: str) -> asyncpg.Connection:
        connection = await asyncpg.connect(dsn)
        try:
            try:
                await connection.execute(
                    "SET session_replication_role = replica; RESET session_replication_role"
                )
            except asyncpg.InsufficientPrivilegeError:
                raise RuntimeError(
                    "the tests empty tables with session_replication_role = replica: connect"
                    " as a superuser, or GRANT SET ON PARAMETER session_replication_role"
                    " to the tests' role"
                ) from None
            await connection.execute(
                "CREATE FUNCTION pg_temp.reset_tables() RETURNS void LANGUAGE plpgsql"
                f" AS $reset$ {await _reset_body(connection)} $reset$"
            )
        except BaseException:
            await connection.close()
            raise
        return connection

    def _wait(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()

    async def __call__(self) -> None:
        done = asyncio.run_coroutine_threadsafe(
            self._connection.execute("SELECT pg_temp.reset_tables()"), self._loop
        )
        try:
            await asyncio.wrap_future(done)
        except asyncpg.LockNotAvailableError:
            raise RuntimeError(
                "the tables could not be emptied: a transaction an earlier test left open is"
                " still writing (a connection or app process not closed?)"
            ) from None

    def close(self) -> None:
        try:
            self._wait(self._connection.close())
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join()
            self._loop.close()


async def empty_all_tables(database: Database) -> None:
    """The same reset over a connection of `database`'s own, for a test that builds its
    databases itself (on SQLite, a fresh copy of the template is already empty)."""
    if database.is_sqlite:
        return
    async with database.engine.connect() as connection:
        raw = (await connection.get_raw_connection()).driver_connection
        assert raw is not None
        await raw.execute(f"DO $reset$ {await _reset_body(raw)} $reset$")


@contextmanager
def listening(database: Database, name: str, hook: Callable[..., None]) -> Iterator[None]:
    """`hook` on the engine's SQLAlchemy event `name` while the block runs."""
    engine = database.engine.sync_engine
    event.listen(engine, name, hook)
    try:
        yield
    finally:
        event.remove(engine, name, hook)


@contextmanager
def statements_sent(database: Database) -> Iterator[list[str]]:
    """Every SQL statement sent to the database while the block runs."""
    sent: list[str] = []

    def record(*args: Any) -> None:
        sent.append(str(args[2]))  # (connection, cursor, statement, …)

    with listening(database, "before_cursor_execute", record):
        yield sent
