"""response_urls: where each one posts, and what a post to one does. Slack takes five posts
within 30 minutes, and refuses invalid blocks (HTTP 400); refused posts are kept, with why."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from devkit.emulator.blocks import fill_ids
from devkit.emulator.limits import message_problems
from devkit.emulator.records import Message, ResponseUrlPost

if TYPE_CHECKING:
    from devkit.emulator.world import SlackWorld

RESPONSE_URL_USES = 5
RESPONSE_URL_TTL = 30 * 60.0


@dataclass
class ResponseUrl:
    """Where a response_url posts: the conversation and, for message actions, the message."""

    team_id: str | None
    channel_id: str | None
    user_id: str | None
    message_ts: str | None
    issued_at: float = 0.0  # SlackWorld.clock()
    uses: int = 0


def post_to(world: SlackWorld, target: ResponseUrl, post: ResponseUrlPost) -> tuple[int, str]:
    """Take (or refuse) a post to a known response_url: the HTTP status and text Slack
    answers."""
    if world.clock() - target.issued_at > world.response_url_ttl:
        return _refuse(world, post, 404, "expired_url")
    if target.uses >= RESPONSE_URL_USES:
        return _refuse(world, post, 404, "used_url")
    if message_problems(post.body.get("blocks")):
        return _refuse(world, post, 400, "invalid_blocks")
    target.uses += 1
    world.responses.append(post)
    world.responses_to[post.id].append(post)
    apply_response(world, target, post.body)
    world.on_response(post.id)
    return 200, "ok"


def _refuse(world: SlackWorld, post: ResponseUrlPost, status: int, error: str) -> tuple[int, str]:
    post.error = error
    world.refused_responses.append(post)
    return status, error


def apply_response(world: SlackWorld, target: ResponseUrl, body: dict[str, Any]) -> None:
    """What a (valid) response_url post does to the conversation: a new message
    (ephemeral unless in_channel), or the original replaced or deleted."""
    if target.channel_id is None:
        return
    post = ResponseUrlPost("", body, 0.0)
    original = (
        world.find_message(target.channel_id, target.message_ts) if target.message_ts else None
    )
    if original is not None and post.delete_original:
        original.deleted = True
    elif original is not None and post.replace_original:
        original.text = post.text or ""
        original.blocks = fill_ids(post.blocks)
        original.updated += 1
    elif not post.delete_original:
        team = world.teams.get(target.team_id or "")
        world.messages[target.channel_id].append(
            Message(
                ts=world.next_ts(),
                channel=target.channel_id,
                user=team.bot_user_id if team else None,
                text=post.text or "",
                blocks=fill_ids(post.blocks),
                thread_ts=body.get("thread_ts"),
                ephemeral_to=None if post.response_type == "in_channel" else target.user_id,
                team_id=target.team_id,
                bot_id=team.bot_id if team else None,
            )
        )
