"""`serve --processes N`: a count of 1 or more, told plainly otherwise."""

from __future__ import annotations

import argparse

import pytest

from bot.__main__ import _at_least_one


@pytest.mark.parametrize(("given", "expected"), [("1", 1), ("2", 2), ("16", 16)])
def test_a_count_is_taken(given: str, expected: int) -> None:
    assert _at_least_one(given) == expected


@pytest.mark.parametrize("given", ["0", "-1", "two", "", "1.5"])
def test_anything_else_is_refused_with_a_reason(given: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match="1 or more"):
        _at_least_one(given)
