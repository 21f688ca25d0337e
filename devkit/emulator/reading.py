"""Reading a Web API request as Slack does: arguments from the query string, a form or JSON,
and credentials from the headers or the fields (kept apart from the arguments)."""

from __future__ import annotations

import base64
import json
from typing import Any

from aiohttp import web

# Fields Slack accepts as JSON text inside form data.
_JSON_FIELDS = frozenset({"blocks", "view", "files", "attachments", "metadata"})


async def read_args(request: web.Request) -> dict[str, Any]:
    """Query string and body merged: slack_sdk sends many POSTs with the arguments in the
    query string, others as a form or JSON. Raises ValueError on an unreadable body."""
    args: dict[str, Any] = dict(request.query)
    if request.method == "POST" and request.body_exists:
        if request.content_type == "application/json":
            body = json.loads(await request.read())
            if not isinstance(body, dict):
                raise ValueError("JSON body is not an object")
            args.update(body)
        else:
            form = await request.post()
            args.update({key: value for key, value in form.items() if isinstance(value, str)})
    for name in _JSON_FIELDS & args.keys():
        value = args[name]
        if isinstance(value, str) and value.lstrip()[:1] in ("[", "{"):
            args[name] = json.loads(value)
    return args


def credentials(
    request: web.Request, args: dict[str, Any]
) -> tuple[str | None, str | None, str | None]:
    """The token (Bearer header or `token` field) and OAuth client credentials (HTTP basic auth
    or form fields), all removed from args: credentials are recorded apart from arguments."""
    token = args.pop("token", None)
    client_id = args.pop("client_id", None)
    client_secret = args.pop("client_secret", None)
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        token = header[len("Bearer ") :].strip() or token
    elif header.startswith("Basic "):
        try:
            decoded = base64.b64decode(header[len("Basic ") :], validate=True).decode()
        except ValueError:
            decoded = ""
        if ":" in decoded:
            client_id, _, client_secret = decoded.partition(":")
    return token, client_id, client_secret


def peer_port(request: web.Request) -> int | None:
    peer = request.transport.get_extra_info("peername") if request.transport else None
    return peer[1] if isinstance(peer, tuple) and len(peer) > 1 else None
