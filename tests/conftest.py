"""Fixtures shared by the whole suite.

`secrets_guard` is autouse: every log record emitted during any test (at any level, from any
logger) is checked against the secrets the test registered, and the test fails if one leaks.
"""

from __future__ import annotations

import gc
import logging
import os
import sys
import traceback
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from pathlib import Path

import aiohttp.web_app
import pytest
from hypothesis import settings as hypothesis_settings

from bot.db.migrate import upgrade
from bot.db.session import Database
from bot.logs import quiet_secret_bearing_loggers
from bot.processes import settle_garbage_collection
from tests.database import RunDatabases, TableReset, database_for_next_test, is_postgres

# Bytecode is cached even where the environment says not to (PYTHONDONTWRITEBYTECODE=1, as on
# CI's machines): each xdist worker rewrites and compiles every test module, and the suite starts
# about a hundred `python -m bot` processes, each compiling the whole package again otherwise.
# __pycache__ is ignored by git; the processes inherit this environment.
sys.dont_write_bytecode = False
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

# Property tests run the same examples every time (a red CI is then never a dice roll);
# `HYPOTHESIS_PROFILE=explore pytest tests/unit` searches widely with fresh ones.
hypothesis_settings.register_profile("repeatable", derandomize=True)
hypothesis_settings.register_profile("explore", max_examples=2000)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


class SecretsGuard(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.secrets: set[str] = set()
        self.sources: list[Callable[[], Iterable[str]]] = []
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + "".join(traceback.format_exception(*record.exc_info))
        self.lines.append(text)

    def watch(self, secrets: Iterable[str]) -> None:
        self.secrets.update(secret for secret in secrets if secret)

    def watch_issued(self, source: Callable[[], Iterable[str]]) -> None:
        """Secrets handed out while the test runs (response_urls the Slack emulator issues):
        read when the test ends, so every one issued by then is watched."""
        self.sources.append(source)

    def leaks(self) -> list[str]:
        secrets = self.secrets | {s for source in self.sources for s in source() if s}
        return [line for line in self.lines if any(secret in line for secret in secrets)]


@pytest.fixture(autouse=True)
def secrets_guard() -> Iterator[SecretsGuard]:
    guard = SecretsGuard()
    root = logging.getLogger()
    previous_level = root.level
    root.addHandler(guard)
    root.setLevel(logging.DEBUG)
    quiet_secret_bearing_loggers()  # as every process does (bot.logs)
    try:
        yield guard
    finally:
        root.removeHandler(guard)
        root.setLevel(previous_level)
    assert guard.lines is not None
    leaked = guard.leaks()
    assert not leaked, f"a secret appeared in {len(leaked)} log line(s): {leaked[:3]}"


def pytest_collection_finish(session: pytest.Session) -> None:
    """Garbage collection tuned for a test worker: what is alive once the tests are collected
    (the modules, the collected items) lives until the worker ends, so it is frozen out of every
    later collection; and the youngest generation is collected every 5,000 allocations instead
    of 700, so that an app living for one test is less often promoted to the oldest generation,
    whose collections walk everything. Measured with `gc.callbacks` over a whole SQLite pass
    (4 workers): 41 s of collections → 20 s."""
    settle_garbage_collection()
    gc.set_threshold(5000, 10, 10)


def release_finished_web_apps() -> None:
    """aiohttp keeps each route handler, wrapped in its middlewares, in a module-level cache of
    1,024 entries (`aiohttp.web_app._cached_build_middleware`). A server has one app; this suite
    starts several per test (the app, the fake Slack, the sandbox), so the cache kept up to 1,024
    finished apps alive in each worker, with their Bolt apps, engines and fakes: 500 MB and
    2.4 million objects, which every full garbage collection walked again."""
    cached = getattr(aiohttp.web_app, "_cached_build_middleware", None)
    if cached is not None:
        cached.cache_clear()


@pytest.fixture(autouse=True)
def finished_web_apps_released() -> Iterator[None]:
    yield
    release_finished_web_apps()


def assert_no_secret(exc: BaseException, secrets: Iterable[str]) -> None:
    """An exception's text, repr and whole traceback (chained causes included) hold no secret."""
    rendered = "".join(traceback.format_exception(exc)) + str(exc) + repr(exc)
    for secret in secrets:
        assert secret not in rendered, "a secret appears in an exception"


# --- databases -----------------------------------------------------------------------------

DATABASE_FIXTURES = ("migrated_database_url", "new_database_url")
"""A test uses a database through one of these (`database`, the app harnesses and every
fixture built on them take `migrated_database_url`). CI's PostgreSQL pass, after the SQLite one
with the same code, skips every other test: it would only run again what has just passed.
A test that reads DATABASE_URL itself must take one of them."""


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """`-n auto`: two workers a core. Measured on 2 cores, a worker a core kept them busy only
    60–75 % of the time: the end-to-end tests wait on Slack's pacing (a message a second a
    channel, Retry-After), on app processes starting and on the drills' clocks. SQLite pass:
    202 s with 2 workers, 167 s with 4. PYTEST_XDIST_AUTO_NUM_WORKERS still decides."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None  # pytest-xdist's own reading of it
    return 2 * len(os.sched_getaffinity(0))


RUN_FIRST = (
    "tests/services/test_recurring_drill.py",
    "tests/slack/test_batch_processes.py",
    "tests/slack/test_processes.py",
    "tests/slack/test_process_group.py",
    "tests/slack/test_drill.py",
)
"""The real-process drills, the longest tests: handed out first, so that no worker starts one
while the other has run out of work (pytest-xdist hands tests out in collection order)."""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    root = Path(str(config.rootpath))

    def drill_first(item: pytest.Item) -> bool:
        return not Path(str(item.path)).relative_to(root).as_posix().startswith(RUN_FIRST)

    items.sort(key=drill_first)  # stable: the same order on every worker
    if not is_postgres():
        return
    again = pytest.mark.skip(reason="uses no database: the SQLite pass runs it")
    for item in items:
        if not set(DATABASE_FIXTURES) & set(getattr(item, "fixturenames", ())):
            item.add_marker(again)


@pytest.fixture(scope="session")
def run_databases() -> Iterator[RunDatabases]:
    """Every database this worker's session makes; PostgreSQL's are dropped at its end."""
    databases = RunDatabases()
    try:
        yield databases
    finally:
        databases.drop_all()


@pytest.fixture(scope="session")
def migrated_database_url(
    run_databases: RunDatabases, tmp_path_factory: pytest.TempPathFactory
) -> str:
    """One database for the run, migrated once (SQLite file, or PostgreSQL in CI)."""
    url = run_databases.new_url(tmp_path_factory.mktemp("db"))
    upgrade(url)
    return url


@pytest.fixture
def new_database_url(run_databases: RunDatabases, tmp_path: Path) -> str:
    """A new, empty, unmigrated database of the kind this run tests (PostgreSQL in CI)."""
    return run_databases.new_url(tmp_path)


@pytest.fixture(scope="session")
def table_reset(migrated_database_url: str) -> Iterator[TableReset | None]:
    """PostgreSQL: what empties the run's database before each test (None on SQLite, where
    each test has a fresh copy of the migrated file)."""
    if not is_postgres():
        yield None
        return
    reset = TableReset(migrated_database_url)
    try:
        yield reset
    finally:
        reset.close()


@pytest.fixture
async def database(
    migrated_database_url: str, table_reset: TableReset | None, tmp_path: Path
) -> AsyncIterator[Database]:
    db = await database_for_next_test(migrated_database_url, table_reset, tmp_path)
    try:
        yield db
    finally:
        await db.dispose()
