"""conversations.*: opening DMs and group DMs, and what a conversation is."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from devkit.emulator.api import Call, SlackError, method_table
from devkit.emulator.records import Channel

if TYPE_CHECKING:
    from devkit.emulator.world import SlackWorld

HANDLERS, api = method_table()


@api("conversations.open")
def _conversations_open(world: SlackWorld, call: Call) -> dict[str, Any]:
    users = call.args.get("users")
    if isinstance(users, str):
        users = [user for user in users.split(",") if user]
    if not users:
        call.require("users")
    members = [world.member(call.team, user_id) for user_id in users]
    if any(member.deleted for member in members):
        raise SlackError("user_disabled")  # a deactivated account gets no DM
    if len(members) == 1:
        already_open = "D" + members[0].id in world.channels
        return {
            "channel": {"id": world.dm_with(call.team, members[0]).id},
            "already_open": already_open,
        }
    # A group DM: one channel per set of members.
    channel_id = "G" + uuid.uuid5(uuid.NAMESPACE_OID, ",".join(sorted(users))).hex[:10].upper()
    already_open = channel_id in world.channels
    if not already_open:
        world.channels[channel_id] = Channel(
            channel_id, call.team.id, "mpdm", is_private=True, is_mpim=True
        )
    return {"channel": {"id": channel_id}, "already_open": already_open}


@api("conversations.info")
def _conversations_info(world: SlackWorld, call: Call) -> dict[str, Any]:
    call.require("channel")
    return {"channel": world.channel_for(call.team, call.args["channel"]).to_api()}
