"""Logging setup shared by every process (and by the test suite's secret guard)."""

from __future__ import annotations

import logging

# Loggers that print SQL parameters (INFO) or whole API answers (DEBUG): a bot token being
# saved or returned by oauth.v2.access would land in the log, so they stay at WARNING even
# when the process runs with --verbose.
SECRET_BEARING = (
    "aiosqlite",
    "asyncpg",
    "sqlalchemy.engine",
    "slack_sdk.web",
    "slack_sdk.oauth",
    "slack_sdk.socket_mode",
)


def quiet_secret_bearing_loggers() -> None:
    for name in SECRET_BEARING:
        logging.getLogger(name).setLevel(logging.WARNING)


def configure_logging(verbose: bool = False) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    quiet_secret_bearing_loggers()
