"""chat.*: posting, updating and deleting messages (ephemeral ones only through response_url)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from devkit.emulator.api import Call, SlackError, check_message_blocks, method_table
from devkit.emulator.blocks import fill_ids

if TYPE_CHECKING:
    from devkit.emulator.world import SlackWorld

HANDLERS, api = method_table()


@api("chat.postMessage")
def _chat_post_message(world: SlackWorld, call: Call) -> dict[str, Any]:
    call.require("channel")
    channel = world.writable_channel(call.team, call.args["channel"])
    message = world.new_message(call.team, channel, call.args)
    world.messages[channel.id].append(message)
    return {"channel": channel.id, "ts": message.ts, "message": message.to_payload()}


@api("chat.postEphemeral")
def _chat_post_ephemeral(world: SlackWorld, call: Call) -> dict[str, Any]:
    call.require("channel", "user")
    channel = world.writable_channel(call.team, call.args["channel"])
    user = world.member(call.team, call.args["user"])
    message = world.new_message(call.team, channel, call.args)
    message.ephemeral_to = user.id
    world.messages[channel.id].append(message)
    return {"message_ts": message.ts}


@api("chat.update")
def _chat_update(world: SlackWorld, call: Call) -> dict[str, Any]:
    call.require("channel", "ts")
    channel = world.channel_for(call.team, call.args["channel"])
    # Ephemeral messages cannot be updated through chat.update (only via response_url).
    message = world.find_message(channel.id, call.args["ts"], ephemeral=False)
    if message is None:
        raise SlackError("message_not_found")
    if "blocks" in call.args:
        check_message_blocks(call.args["blocks"])
    if "text" in call.args:
        message.text = call.args["text"] or ""
    if "blocks" in call.args:
        message.blocks = fill_ids(call.args["blocks"])
    message.updated += 1
    return {
        "channel": channel.id,
        "ts": message.ts,
        "text": message.text,
        "message": message.to_payload(),
    }


@api("chat.delete")
def _chat_delete(world: SlackWorld, call: Call) -> dict[str, Any]:
    call.require("channel", "ts")
    channel = world.channel_for(call.team, call.args["channel"])
    message = world.find_message(channel.id, call.args["ts"], ephemeral=False)
    if message is None:
        raise SlackError("message_not_found")
    message.deleted = True
    return {"channel": channel.id, "ts": message.ts}
