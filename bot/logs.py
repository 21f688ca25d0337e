"""Logging setup shared by every process (and by the test suite's secret guard)."""

from __future__ import annotations

import logging
import re

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

# slack_bolt lines that quote a whole request body: a failed signature check (INFO; a clock
# a few minutes off is enough, and a setup form carries Partner API keys) and a global
# middleware that answered nothing (WARNING). Bolt sets its loggers' levels from the root
# logger when the app is built, so a level set here would not hold: a filter does.
BODY_QUOTING = ("slack_bolt.RequestVerification", "slack_bolt.AsyncApp")
_BODY = re.compile(r"(body: |the request \().*", re.DOTALL)


class WithholdBodies(logging.Filter):
    """Keeps the line, cuts it where the request body would start."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        withheld, count = _BODY.subn(r"\1(withheld)", message)
        if count:
            record.msg, record.args = withheld, None
        return True


_WITHHOLD = WithholdBodies()


def quiet_secret_bearing_loggers() -> None:
    for name in SECRET_BEARING:
        logging.getLogger(name).setLevel(logging.WARNING)
    for name in BODY_QUOTING:
        logger = logging.getLogger(name)
        if _WITHHOLD not in logger.filters:
            logger.addFilter(_WITHHOLD)


def configure_logging(verbose: bool = False) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    quiet_secret_bearing_loggers()
