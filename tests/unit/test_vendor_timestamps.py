"""The vendor's timestamps: its format read as `strptime` reads it, anything else None (never
an aware time)."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.partner.documents import timestamp


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2016-03-04 11:23:14", datetime(2016, 3, 4, 11, 23, 14)),
        ("2024-02-29 00:00:00", datetime(2024, 2, 29)),
        ("2023-02-29 00:00:00", None),  # no such day
        ("2016-03-04 24:00:00", None),
        ("2016-03-04", None),  # a date alone
        ("2016-03-04T11:23:14", None),
        ("2016-03-04 11:23:14+01:00", None),  # a zone: the app's times are naive UTC
        ("2016-03-04 11:23:14Z", None),
        ("2016-3-4 11:23:14", datetime(2016, 3, 4, 11, 23, 14)),  # strptime's leniency, kept
        ("20160304 11:23:14.5", None),
        ("2016-03-04 11:23:1x", None),
        ("2016-03-04 11:23:1", datetime(2016, 3, 4, 11, 23, 1)),
        ("+016-03-04 11:23:14", None),
        ("", None),
        (None, None),
        (0, None),
    ],
)
def test_timestamp(value: object, expected: datetime | None) -> None:
    assert timestamp(value) == expected
