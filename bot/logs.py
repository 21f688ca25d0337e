"""Logging setup shared by every process (and by the test suite's secret guard)."""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from contextvars import ContextVar
from datetime import UTC, datetime

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
    # Every response_url (a link anyone can post into for 30 minutes) with the reply body
    # (DEBUG, and INFO for the answer).
    "slack_sdk.webhook",
    # The OAuth flow quotes the redirect's query (the one-time `code` and the `state`) at
    # DEBUG; its WARNING lines keep the code, so they are also redacted (below).
    "slack_bolt.oauth",
)

# slack_bolt lines that quote a whole request body: a failed signature check (INFO; a clock
# a few minutes off is enough, and a setup form carries Partner API keys), a global
# middleware that answered nothing (WARNING), and every Socket Mode envelope received (DEBUG,
# through the app's logger: "Received message (type: TEXT, data: '…')", response_url
# included). Bolt sets its loggers' levels from the root
# logger when the app is built, so a level set here would not hold: a filter does.
BODY_QUOTING = ("slack_bolt.RequestVerification", "slack_bolt.AsyncApp")
_BODY = re.compile(r"(body: |the request \(|data: ).*", re.DOTALL)


class WithholdBodies(logging.Filter):
    """Keeps the line, cuts it where the request body would start."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        withheld, count = _BODY.subn(r"\1(withheld)", message)
        if count:
            record.msg, record.args = withheld, None
        return True


_WITHHOLD = WithholdBodies()

# The OAuth flow's own loggers (named after their modules, so a filter on the parent
# "slack_bolt.oauth" would not see their records): "… result with code: XYZ - error: …" at
# WARNING, and the callback query `{'code': ['…'], 'state': ['…']}` at DEBUG.
OAUTH_FLOW = (
    "slack_bolt.oauth.async_oauth_flow",
    "slack_bolt.oauth.oauth_flow",
    "slack_bolt.oauth.async_callback_options",
    "slack_bolt.oauth.callback_options",
    "slack_bolt.oauth.internals",
)
_OAUTH_VALUE = re.compile(r"""((?:code|state)['"]?\s*[:=]\s*\[?\s*['"]?)[^'"\s,\]&}]+""")


class RedactOAuthValues(logging.Filter):
    """Keeps the line, replaces the OAuth code and state values."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted, count = _OAUTH_VALUE.subn(r"\1(redacted)", message)
        if count:
            record.msg, record.args = redacted, None
        return True


_REDACT_OAUTH = RedactOAuthValues()


def quiet_secret_bearing_loggers() -> None:
    for name in SECRET_BEARING:
        logging.getLogger(name).setLevel(logging.WARNING)
    for name in BODY_QUOTING:
        logger = logging.getLogger(name)
        if _WITHHOLD not in logger.filters:
            logger.addFilter(_WITHHOLD)
    for name in OAUTH_FLOW:
        logger = logging.getLogger(name)
        if _REDACT_OAUTH not in logger.filters:
            logger.addFilter(_REDACT_OAUTH)


REQUEST_ID: ContextVar[str | None] = ContextVar("partner_ops_request_id", default=None)
"""The Slack request being handled (set by bot.slack.request_id): every line logged while
handling it, in whichever task, carries the same id, so one request's story can be followed."""


class WithRequestId(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get() or "-"
        return True


class JsonLines(logging.Formatter):
    """One JSON object a line, for log collectors: time, level, logger, request id, message
    (and the traceback of an error)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", None),
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


READABLE = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"


def configure_logging(verbose: bool = False, *, json_lines: bool | None = None) -> None:
    """Readable lines on a terminal (and in the console), JSON lines otherwise (production);
    `LOG_FORMAT=json|text` decides when set."""
    if json_lines is None:
        chosen = os.environ.get("LOG_FORMAT", "").strip().lower()
        json_lines = chosen == "json" or (chosen != "text" and not sys.stderr.isatty())
    handler = logging.StreamHandler()
    handler.addFilter(WithRequestId())
    handler.setFormatter(JsonLines() if json_lines else logging.Formatter(READABLE))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    quiet_secret_bearing_loggers()
