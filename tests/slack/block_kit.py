"""Slack's Block Kit limits, checked on everything the app sends: the emulator's own checker
(the one FakeSlack refuses with), plus one rule of these tests."""

from __future__ import annotations

from typing import Any

from devkit.emulator.blocks import iter_elements
from devkit.emulator.limits import LIMITS, message_problems, view_problems

__all__ = ["LIMITS", "view_violations", "violations"]


def violations(blocks: list[dict[str, Any]] | None) -> list[str]:
    """What Slack would refuse in a message's blocks, and action_ids repeated anywhere in the
    message: Slack asks only for uniqueness within a block, but the driver clicks by action_id,
    so a repeat would make a test click the wrong button."""
    found = message_problems(blocks)
    action_ids = [
        element.get("action_id")
        for _, element in iter_elements(blocks if isinstance(blocks, list) else [])
        if element.get("action_id")
    ]
    if len(action_ids) != len(set(action_ids)):
        found.append("duplicate action_id in the message")
    return found


def view_violations(view: dict[str, Any]) -> list[str]:
    return view_problems(view)
