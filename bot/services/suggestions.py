""" "Did you mean …?": only what is a slip of the keyboard away from what was typed.

difflib's ratio alone rates words that merely share letters as close (`frobnicate` →
`approbateurs`, `nobody@nowhere.example` → every `…@acme.example`); a suggestion must instead
be within a few typing mistakes: at most one edit (insert, delete, substitute, swap two
neighbours) per four characters typed, and never more than two.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

MAX_EDITS = 2
CHARACTERS_PER_EDIT = 4
# difflib finds the plausible few quickly among thousands of names; the edit distance then
# decides. Its cutoff is loose on purpose: it only saves work.
_PREFILTER = 20
_PREFILTER_CUTOFF = 0.5


def allowed_edits(typed: str) -> int:
    return max(1, min(MAX_EDITS, len(typed) // CHARACTERS_PER_EDIT))


def close_matches(typed: str, candidates: Iterable[str], limit: int = 1) -> list[str]:
    """Up to `limit` candidates a few typing mistakes from `typed` (case aside), nearest first."""
    wanted = typed.strip().lower()
    if not wanted:
        return []
    by_lowered: dict[str, str] = {}
    for candidate in candidates:
        by_lowered.setdefault(candidate.lower(), candidate)
    plausible = difflib.get_close_matches(
        wanted, list(by_lowered), n=_PREFILTER, cutoff=_PREFILTER_CUTOFF
    )
    budget = allowed_edits(wanted)
    scored = [
        (distance, lowered)
        for lowered in plausible
        if (distance := edit_distance(wanted, lowered, budget)) <= budget
    ]
    return [by_lowered[lowered] for _, lowered in sorted(scored)[:limit]]


def edit_distance(a: str, b: str, bound: int) -> int:
    """Optimal string alignment distance (a swap of neighbours is one edit), or `bound + 1`
    as soon as it must exceed `bound`."""
    if abs(len(a) - len(b)) > bound:
        return bound + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, 1):
            cost = 0 if char_a == char_b else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > bound:
            return bound + 1
        previous2, previous = previous, current
    return previous[-1]
