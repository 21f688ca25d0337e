"""The database: one async engine per process, SQLite by default, PostgreSQL in production."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

log = logging.getLogger(__name__)

DEFAULT_SQLITE_FILE = "partner_ops.db"


def database_url(raw: str | None) -> str:
    """`DATABASE_URL` as SQLAlchemy's async drivers want it.

    Unset means a SQLite file in the working directory; `postgres://` and `postgresql://`
    (as hosting platforms hand them out) mean asyncpg.
    """
    if not raw:
        return f"sqlite+aiosqlite:///{DEFAULT_SQLITE_FILE}"
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+asyncpg://" + raw[len(prefix) :]
    if raw.startswith("sqlite://"):
        return "sqlite+aiosqlite://" + raw[len("sqlite://") :]
    return raw


def redacted(url: str) -> str:
    """The URL fit for a log line: no password."""
    return make_url(url).render_as_string(hide_password=True)


class DatabaseUnavailable(ConnectionError):
    """The database server could not be reached (down, restarting, network cut). Nothing was
    done in the database; the same action can simply be tried again later."""


def _connect_or_say_unavailable(
    dialect: Any, _record: Any, cargs: tuple[Any, ...], cparams: dict[str, Any]
) -> Any:
    """A refused or failed connection surfaces as the driver's own OSError, which says
    nothing about the database; callers get `DatabaseUnavailable` instead."""
    try:
        return dialect.connect(*cargs, **cparams)
    except (OSError, TimeoutError) as error:
        raise DatabaseUnavailable(f"database unreachable ({type(error).__name__})") from None


class Database:
    def __init__(self, url: str, *, echo: bool = False, pool_size: int | None = None) -> None:
        self.url = url
        self.is_sqlite = make_url(url).get_backend_name() == "sqlite"
        self.in_memory = self.is_sqlite and _is_memory(url)
        connect_args: dict[str, Any] = {}
        if not self.is_sqlite:
            # slack_sdk's stores compare naive datetimes with func.now(): keep the server in UTC.
            connect_args["server_settings"] = {"timezone": "UTC"}
        pool: dict[str, Any] = {}
        if pool_size is not None:
            pool = {"pool_size": pool_size, "max_overflow": 0}
        elif not self.is_sqlite:
            # A burst of clicks (bench approvals: 5,000 at 200 a second) queues for connections;
            # waiting longer than SQLAlchemy's 30 s default beats failing a click that has
            # already been acknowledged.
            pool = {"pool_size": 10, "max_overflow": 10, "pool_timeout": 120}
        self.engine: AsyncEngine = create_async_engine(
            url, echo=echo, pool_pre_ping=not self.is_sqlite, connect_args=connect_args, **pool
        )
        if self.is_sqlite:
            in_memory = self.in_memory
            event.listen(
                self.engine.sync_engine,
                "connect",
                _sqlite_memory_pragmas if in_memory else _sqlite_file_pragmas,
            )
        else:
            event.listen(self.engine.sync_engine, "do_connect", _connect_or_say_unavailable)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    def dedicated(self, pool_size: int = 1) -> Database:
        """The same database through connections of its own, for work that must not queue
        behind everything else for a pooled connection (delivery claims, on every ack).
        An in-memory SQLite database exists once per connection: it has only itself."""
        if self.in_memory:
            return self
        return Database(self.url, pool_size=pool_size)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session in a transaction: committed on success, rolled back on error."""
        async with self.sessions() as session, session.begin():
            yield session

    @asynccontextmanager
    async def joined(self, session: AsyncSession | None) -> AsyncIterator[AsyncSession]:
        """The caller's `session` when it has one (its transaction, ended by the caller), else a
        session of its own as `session()` gives. For a caller that makes several reads in a
        row: each session costs a connection out of the pool, a BEGIN and a COMMIT, which on
        SQLite are each a round trip to aiosqlite's thread (about 1 ms of the event loop's
        CPU a session on 2 cores, against 0.6 ms for a statement in an open one)."""
        if session is not None:
            yield session
            return
        async with self.session() as own:
            yield own

    async def ping(self) -> bool:
        try:
            async with self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception as exc:  # any failure means "not healthy"; say which, quietly
            log.warning("database ping failed: %s", type(exc).__name__)
            return False
        return True

    async def dispose(self) -> None:
        await self.engine.dispose()


def _is_memory(url: str) -> bool:
    database = make_url(url).database
    return not database or database == ":memory:" or database.startswith("file::memory:")


def _sqlite_file_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the web process read while the worker writes; busy_timeout waits out the
    # other process's write lock instead of failing at once.
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL, NORMAL syncs at checkpoints instead of at every commit: a commit stays atomic
    # and durable across a crash of the process (only a power loss may lose the last
    # commits), and costs microseconds instead of an fsync — it was most of every ack.
    cursor.execute("PRAGMA synchronous=NORMAL")
    _common_pragmas(cursor)
    cursor.close()


def _sqlite_memory_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # An in-memory database has no journal file to put in WAL and nothing to sync.
    cursor = dbapi_connection.cursor()
    _common_pragmas(cursor)
    cursor.close()


def _common_pragmas(cursor: Any) -> None:
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
