"""A file's `url_private_download`, as Slack serves it: the bytes only to a request carrying
`Authorization: Bearer <bot token>` of the file's workspace with `files:read`. Anything else gets
what Slack gives a browser that is not signed in: an HTML sign-in page with status 200, which
an app that does not check what it received would take for the file."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from devkit.emulator.world import SlackWorld

SIGN_IN_PAGE = "<!DOCTYPE html><html><head><title>Slack</title></head><body>Sign in</body></html>"


def bearer_token(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


async def serve_download(world: SlackWorld, request: web.Request) -> web.Response:
    team_id, _, file_id = request.match_info["file_ref"].partition("-")
    token = bearer_token(request)
    team = world.teams.get(world.team_of(token) or "") if token else None
    allowed = (
        team is not None
        and team.id == team_id
        and token not in world.dead_tokens
        and (team.scopes is None or "files:read" in team.scopes)
    )
    file = next((f for f in world.files if f.id == file_id and f.team_id == team_id), None)
    if not allowed:
        return web.Response(text=SIGN_IN_PAGE, content_type="text/html")
    if file is None:
        return web.Response(status=404, text="file_not_found")
    return web.Response(body=file.content, content_type="application/octet-stream")
