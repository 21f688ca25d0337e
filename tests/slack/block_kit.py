"""Slack's Block Kit limits, checked on everything the app sends: the emulator's own checker
(the one FakeSlack refuses with), plus one rule of these tests."""

from __future__ import annotations

from typing import Any

from devkit.emulator.blocks import iter_elements
from devkit.emulator.limits import LIMITS, message_problems, view_problems

__all__ = ["LIMITS", "view_violations", "violations"]


def violations(blocks: list[dict[str, Any]] | None) -> list[str]:
    """What Slack would refuse in a message's blocks, and an action_id repeated in the message
    where the block does not tell them apart: Slack asks only for uniqueness within a block,
    and the driver clicks by action_id and, when given, block_id (a list of requests repeats
    the card's Approve in one block a request), so a repeat in blocks without their own
    block_id would make a test click the wrong button."""
    found = message_problems(blocks)
    action_ids = [
        (block.get("block_id"), element.get("action_id"))
        for block, element in iter_elements(blocks if isinstance(blocks, list) else [])
        if element.get("action_id")
    ]
    if len(action_ids) != len(set(action_ids)) or any(
        block_id is None and [a for _, a in action_ids].count(action_id) > 1
        for block_id, action_id in action_ids
    ):
        found.append("duplicate action_id in the message")
    return found


def view_violations(view: dict[str, Any]) -> list[str]:
    return view_problems(view)
