"""users.info and usergroups.*: who people are and which groups they are in."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.devkit.emulator.api import Call, SlackError, method_table

if TYPE_CHECKING:
    from bot.devkit.emulator.world import SlackWorld

HANDLERS, api = method_table()


@api("users.info")
def _users_info(world: SlackWorld, call: Call) -> dict[str, Any]:
    call.require("user")
    return {"user": world.user_info(call.team, call.args["user"])}


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
