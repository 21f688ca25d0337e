"""Time as the database stores it: naive UTC.

slack_sdk's SQLAlchemy stores write naive UTC datetimes; every table of ours does the same, so
no comparison ever mixes aware and naive values. Convert to a zone only to show a time.
"""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
