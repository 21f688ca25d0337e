"""Whether a Slack user belongs to a workspace, from the user object `users.info` answers.

Pure functions over Slack's user object, so they are tested table-driven
(tests/slack/test_membership.py) and shared by the request guard and the admin checks.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Protocol


class NotAMember(Exception):
    """The acting user may not do this here (a stranger, or a guest asking for a change);
    `message` says why, for them, in the language of the moment it was raised (a catalog text
    is worded then: bot.slack.workspace_guard sets the user's language first)."""

    def __init__(self, message: object) -> None:
        self.message = str(message)
        super().__init__(self.message)


class Belonging(StrEnum):
    MEMBER = "member"
    """A full member of the workspace, or of another workspace of its Enterprise Grid org."""
    GUEST = "guest"
    """A multi- or single-channel guest of the workspace: may read, not ask, decide or set."""
    STRANGER = "stranger"
    """Somebody of another organisation (a Slack Connect shared channel), a user Slack does
    not show us, or a deactivated one."""


def belonging(user: dict[str, Any] | None, team_id: str, enterprise_id: str | None) -> Belonging:
    """What `user` (users.info's `user`, None when not found) is to the workspace `team_id`.

    Slack marks a user of an external organisation with `is_stranger` and gives their own
    `team_id`; inside an Enterprise Grid org a member of a sibling workspace has another
    `team_id` but the same `enterprise_user.enterprise_id`, and counts as one of ours.
    """
    if not user or user.get("deleted") or user.get("is_stranger"):
        return Belonging.STRANGER
    if user.get("team_id") != team_id and not _same_org(user, enterprise_id):
        return Belonging.STRANGER
    if user.get("is_restricted") or user.get("is_ultra_restricted"):
        return Belonging.GUEST
    return Belonging.MEMBER


def is_admin_of(user: dict[str, Any] | None, team_id: str) -> bool:
    """A workspace admin or owner *of this very workspace*: Slack's `is_admin`/`is_owner` say
    nothing about which workspace, so a stranger's or another org workspace's admin is not
    one here."""
    if not user or user.get("deleted") or user.get("is_stranger"):
        return False
    if user.get("is_restricted") or user.get("is_ultra_restricted"):
        return False
    teams = (user.get("enterprise_user") or {}).get("teams") or []
    if user.get("team_id") != team_id and team_id not in teams:
        return False
    return bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))


def _same_org(user: dict[str, Any], enterprise_id: str | None) -> bool:
    org = (user.get("enterprise_user") or {}).get("enterprise_id")
    return bool(enterprise_id) and org == enterprise_id


def owners_of(members: list[dict[str, Any]], team_id: str | None) -> list[str]:
    """The ids of the workspace's owners among users.list's `members`, the primary owner
    first: who can always act on the workspace when the app's own admins cannot be reached.
    Deactivated accounts, bots and (given `team_id`) other workspaces' people are left out."""
    owners = [
        m
        for m in members
        if (m.get("is_owner") or m.get("is_primary_owner"))
        and not m.get("deleted")
        and not m.get("is_bot")
        and (team_id is None or m.get("team_id") == team_id)
    ]
    owners.sort(key=lambda m: not m.get("is_primary_owner"))
    return [m["id"] for m in owners]


MEMBER_GATE = "partner_ops_member_gate"
"""Context key of the request's membership check (bot.slack.workspace_guard.MemberGate)."""


class Gate(Protocol):
    async def check(self) -> None: ...


async def check_member(context: dict[str, Any]) -> None:
    """The acting user's membership check: every listener of a command or an interaction runs
    it right after `await ack()` (users.info may be slow, Slack's 3 s are for the ack), or
    opens its modal first and lets `bot.slack.modals.open_loading` run it (a trigger_id does
    not wait for users.info). Run once however often it is asked for; it sets the user's
    language for the rest of the listener, and raises NotAMember for someone who may not
    do this here, answered by the app's error handler. tests/slack/test_listeners_gated.py
    holds every registered listener to it."""
    gate: Gate | None = context.get(MEMBER_GATE)
    if gate is not None:  # None only for what does not act (events): the guard made no gate
        await gate.check()
