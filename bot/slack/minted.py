"""Values this app put in its own buttons and forms (a request's number in a button, a form's
metadata), read back when Slack returns them. Slack returns them as they were made, so one
that does not read is from a payload Slack never sent: `Garbled`, answered with a plain
message and a one-line WARNING (bot.slack.errors), never a traceback or a database error."""

from __future__ import annotations

import json
import re
from typing import Any

# Numbers are kept in the database's INTEGER: anything larger was never one of ours.
LARGEST_RECORD_NUMBER = 2**31 - 1
_DIGITS = re.compile(r"[0-9]{1,10}")


class Garbled(Exception):
    """A value this app minted came back unreadable; `what` names it for the log."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


def record_number(value: Any, what: str) -> int:
    """A request's or a setting change's number (1, 2, 3…), from a button value (text) or a
    form's metadata (a JSON number)."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and _DIGITS.fullmatch(value):
        number = int(value)
    else:
        raise Garbled(what)
    if not 1 <= number <= LARGEST_RECORD_NUMBER:
        raise Garbled(what)
    return number


def json_object(value: Any, what: str) -> dict[str, Any]:
    """A button value this app wrote as a JSON object."""
    try:
        decoded = json.loads(value) if isinstance(value, str) else None
    except ValueError:
        decoded = None
    if not isinstance(decoded, dict):
        raise Garbled(what)
    return decoded
