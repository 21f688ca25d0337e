"""auth.*, oauth.v2.access and apps.connections.open: tokens, installs and Socket Mode URLs."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from devkit.emulator.api import Call, Grant, SlackError, method_table

if TYPE_CHECKING:
    from devkit.emulator.world import SlackWorld

HANDLERS, api = method_table()


@api("auth.test")
def _auth_test(world: SlackWorld, call: Call) -> dict[str, Any]:
    team = call.team
    bot = world.users.get(team.bot_user_id)
    return {
        "url": f"https://{team.domain}.slack.com/",
        "team": team.name,
        "user": bot.name if bot else "bot",
        "team_id": team.id,
        "user_id": team.bot_user_id,
        "bot_id": team.bot_id,
        "enterprise_id": team.enterprise_id,
        "is_enterprise_install": False,
    }


@api("auth.revoke")
def _auth_revoke(world: SlackWorld, call: Call) -> dict[str, Any]:
    assert call.token is not None  # checked by the server (FakeSlack)
    world.revoke(call.token)
    return {"revoked": True}


@api("apps.connections.open")
def _apps_connections_open(world: SlackWorld, call: Call) -> dict[str, Any]:
    assert call.token is not None  # checked by the server (FakeSlack)
    return {"url": world.new_socket_url(world.app_tokens[call.token])}


@api("oauth.v2.access")
def _oauth_v2_access(world: SlackWorld, call: Call) -> dict[str, Any]:
    if not call.client_id:
        raise SlackError("invalid_client_id")
    if not call.client_secret:
        raise SlackError("bad_client_secret")
    if call.args.get("grant_type") == "refresh_token":
        call.require("refresh_token")
        grant = world.refresh_tokens.pop(call.args["refresh_token"], None)
        if grant is None:
            raise SlackError("invalid_refresh_token")
        # Rotation: a new pair; the old access token keeps working until revoked or expired.
        rotated = Grant(
            **{
                **grant.__dict__,
                "bot_token": f"xoxe.xoxb-1-{secrets.token_hex(12)}",
                "refresh_token": f"xoxe-1-{secrets.token_hex(12)}",
                "expires_in": grant.expires_in or 43200,
            }
        )
        world.install(rotated)
        return rotated.answer()
    call.require("code")
    grant = world.codes.pop(call.args["code"], None)
    if grant is None:
        raise SlackError("invalid_code")
    return grant.answer()
