"""users.info, users.list and usergroups.*: who people are and which groups they are in."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from devkit.emulator.api import Call, SlackError, method_table
from devkit.emulator.records import Team

if TYPE_CHECKING:
    from devkit.emulator.world import SlackWorld

HANDLERS, api = method_table()


@api("users.info")
def _users_info(world: SlackWorld, call: Call) -> dict[str, Any]:
    call.require("user")
    user = user_info(world, call.team, call.args["user"])
    if str(call.args.get("include_locale", "")).lower() in ("1", "true"):
        user["locale"] = world.users[user["id"]].locale
    return {"user": user}


@api("users.list")
def _users_list(world: SlackWorld, call: Call) -> dict[str, Any]:
    """The workspace's members, deactivated ones and bots included as on Slack, a page at a
    time: `limit` (Slack's default page is large; 0 means it), then `cursor` from
    `response_metadata.next_cursor`, "" on the last page."""
    members = [u for u in world.users.values() if u.team_id == call.team.id]
    limit = int(call.args.get("limit") or 0) or 1000
    try:
        start = int(call.args.get("cursor") or 0)
    except ValueError:
        raise SlackError("invalid_cursor") from None
    page = members[start : start + limit]
    following = start + limit if start + limit < len(members) else None
    return {
        "members": [user_info(world, call.team, u.id) for u in page],
        "response_metadata": {"next_cursor": "" if following is None else str(following)},
    }


@api("usergroups.list")
def _usergroups_list(world: SlackWorld, call: Call) -> dict[str, Any]:
    include_users = str(call.args.get("include_users", "")).lower() in {"1", "true"}
    return {
        "usergroups": [
            group.to_api(include_users=include_users)
            for group in world.usergroups.values()
            if group.team_id == call.team.id
        ]
    }


@api("usergroups.users.list")
def _usergroups_users_list(world: SlackWorld, call: Call) -> dict[str, Any]:
    call.require("usergroup")
    group = world.usergroups.get(call.args["usergroup"])
    if group is None or group.team_id != call.team.id:
        raise SlackError("no_such_subteam")
    return {"users": list(group.users)}


def user_info(world: SlackWorld, team: Team, user_id: str) -> dict[str, Any]:
    """users.info's `user` as `team`'s token sees it: its own members; in an Enterprise
    Grid org the org's members too (with `enterprise_user`); and people of another
    organisation it shares a Slack Connect channel with, with their own `team_id` and
    `is_stranger`. Anyone else: user_not_found."""
    user = world.users.get(user_id)
    if user is None:
        raise SlackError("user_not_found")
    home = world.teams.get(user.team_id)
    org = home.enterprise_id if home else None
    same_org = org is not None and org == team.enterprise_id
    if user.team_id != team.id and not same_org:
        if team.id not in user.shared_with:
            raise SlackError("user_not_found")
        return {**user.to_api(), "is_stranger": True}
    answer = user.to_api()
    if org is not None and home is not None:
        answer["enterprise_user"] = {
            "id": user.id,
            "enterprise_id": org,
            "enterprise_name": home.enterprise_name or org,
            "is_admin": user.is_admin,
            "is_owner": user.is_owner,
            "teams": [user.team_id],
        }
    return answer
