"""Fixtures shared by the whole suite.

`secrets_guard` is autouse: every log record emitted during any test (at any level, from any
logger) is checked against the secrets the test registered, and the test fails if one leaks.
"""

from __future__ import annotations

import logging
import os
import traceback
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from bot.db.migrate import upgrade
from bot.db.session import Database
from bot.logs import quiet_secret_bearing_loggers
from tests.database import database_for_test, empty_all_tables, fresh_database_url, is_postgres

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


def assert_no_secret(exc: BaseException, secrets: Iterable[str]) -> None:
    """An exception's text, repr and whole traceback (chained causes included) hold no secret."""
    rendered = "".join(traceback.format_exception(exc)) + str(exc) + repr(exc)
    for secret in secrets:
        assert secret not in rendered, "a secret appears in an exception"


# --- databases -----------------------------------------------------------------------------

DATABASE_FREE = (
    "tests/unit/",
    "tests/partner/",
    "tests/emulator/",
    "tests/test_bench.py",  # the benches' smoke runs drop DATABASE_URL: SQLite, always
    "tests/test_packaging.py",  # the wheel and its installs run without DATABASE_URL
    "tests/test_boundaries.py",
    "tests/test_wiring.py",
    "tests/test_module_size.py",
    "tests/test_manifest.py",
    "tests/test_money.py",
)
"""Tests that use no database and read no DATABASE_URL: CI's PostgreSQL pass (after the
SQLite one, with the same code) skips them, as they would only run again what has passed.
A test here that takes the `database` fixture is not skipped."""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not is_postgres():
        return
    root = Path(str(config.rootpath))
    again = pytest.mark.skip(reason="uses no database: the SQLite pass runs it")
    for item in items:
        where = Path(str(item.path)).relative_to(root).as_posix()
        if not where.startswith(DATABASE_FREE):
            continue
        if "migrated_database_url" in getattr(item, "fixturenames", ()):
            continue  # it takes a database after all: it runs on this one too
        item.add_marker(again)



@pytest.fixture(scope="session")
def migrated_database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One database for the run, migrated once (SQLite file, or PostgreSQL in CI)."""
    url = fresh_database_url(tmp_path_factory.mktemp("db"))
    upgrade(url)
    return url


@pytest.fixture
async def database(migrated_database_url: str, tmp_path: Path) -> AsyncIterator[Database]:
    db = database_for_test(migrated_database_url, tmp_path)
    await empty_all_tables(db)
    try:
        yield db
    finally:
        await db.dispose()
