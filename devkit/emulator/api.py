"""What a Web API method handler works with: the call, Slack's refusal, the scope and token
rules, and the table type. The handlers themselves live in `handlers/`, one module per API
family; `handlers.HANDLERS` is the whole table the server answers from.

Each handler gets the world (`SlackWorld`) and the authenticated call and returns Slack's
answer without "ok"; a refusal raises SlackError.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from devkit.emulator.limits import message_problems
from devkit.emulator.records import Team

if TYPE_CHECKING:
    from devkit.emulator.world import SlackWorld

__all__ = [
    "APP_TOKEN",
    "METHOD_SCOPES",
    "NO_SCOPE",
    "NO_TOKEN",
    "Call",
    "Grant",
    "SlackError",
    "Upload",
    "check_message_blocks",
    "method_table",
    "needed_scope",
]


class SlackError(Exception):
    """A Web API refusal: answered as {"ok": false, "error": error, ...extra}."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


@dataclass
class Call:
    """One authenticated call as a handler sees it."""

    args: dict[str, Any]
    token: str | None = field(repr=False)
    team: Team  # the token's team; a placeholder for methods that need no token
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)

    def require(self, *names: str) -> None:
        missing = [name for name in names if self.args.get(name) in (None, "")]
        if missing:
            raise SlackError(
                "invalid_arguments",
                response_metadata={
                    "messages": [f"[ERROR] missing required field: {name}" for name in missing]
                },
            )


@dataclass
class Grant:
    """What oauth.v2.access answers for a code or a refresh token."""

    team_id: str
    team_name: str
    bot_token: str
    bot_user_id: str
    bot_id: str
    authed_user_id: str
    scope: str
    app_id: str
    enterprise_id: str | None
    refresh_token: str | None
    expires_in: int | None
    enterprise_name: str | None = None
    org_wide: bool = False
    """An org-wide install (Enterprise Grid): Slack answers with no team."""

    def answer(self) -> dict[str, Any]:
        answer: dict[str, Any] = {
            "app_id": self.app_id,
            "authed_user": {"id": self.authed_user_id},
            "scope": self.scope,
            "token_type": "bot",
            "access_token": self.bot_token,
            "bot_user_id": self.bot_user_id,
            "team": {"id": self.team_id, "name": self.team_name},
            # A workspace of an org installed on its own (not org-wide), as Slack answers it.
            "enterprise": (
                None
                if self.enterprise_id is None
                else {"id": self.enterprise_id, "name": self.enterprise_name or self.enterprise_id}
            ),
            "is_enterprise_install": False,
        }
        if self.org_wide:
            answer |= {"team": None, "is_enterprise_install": True}
        if self.refresh_token is not None:
            answer["refresh_token"] = self.refresh_token
        if self.expires_in is not None:
            answer["expires_in"] = self.expires_in
        return answer


@dataclass
class Upload:
    file_id: str
    filename: str
    length: int
    team_id: str
    token: str | None = field(repr=False)
    content: bytes | None = None


Handler = Callable[["SlackWorld", Call], dict[str, Any]]
# Methods called with client credentials instead of a token.
NO_TOKEN = frozenset({"oauth.v2.access"})
# Methods called with an app-level token (xapp-…), which no other method accepts.
APP_TOKEN = frozenset({"apps.connections.open"})


# Methods that need no scope: a token of the right type is enough.
NO_SCOPE = frozenset(
    {
        "auth.test",
        "views.open",
        "views.push",
        "views.update",
        "views.publish",
        "oauth.v2.access",
        "apps.connections.open",
        "auth.revoke",
    }
)
# Web API method → the bot scope it needs, by kind of conversation where that matters ("" when
# it does not), from each method's page on api.slack.com.
METHOD_SCOPES: dict[str, dict[str, str]] = {
    "chat.postMessage": {"": "chat:write"},
    "chat.postEphemeral": {"": "chat:write"},
    "chat.update": {"": "chat:write"},
    "chat.delete": {"": "chat:write"},
    "users.info": {"": "users:read"},
    "users.list": {"": "users:read"},
    "usergroups.list": {"": "usergroups:read"},
    "usergroups.users.list": {"": "usergroups:read"},
    "conversations.info": {
        "channel": "channels:read",
        "private": "groups:read",
        "im": "im:read",
        "mpim": "mpim:read",
    },
    # One user: a DM; several: a group DM.
    "conversations.open": {"im": "im:write", "mpim": "mpim:write"},
    "files.getUploadURLExternal": {"": "files:write"},
    "files.completeUploadExternal": {"": "files:write"},
    "files.info": {"": "files:read"},
}


def check_message_blocks(blocks: Any) -> None:
    """Refuse a message's blocks as Slack does: invalid_blocks, with Slack's reasons."""
    problems = message_problems(blocks)
    if problems:
        raise SlackError("invalid_blocks", response_metadata={"messages": problems})


def needed_scope(world: SlackWorld, method: str, call: Call) -> str | None:
    """The scope this call needs, or None when it needs none (or the conversation it names is
    unknown: the method then answers channel_not_found, as Slack does)."""
    scopes = METHOD_SCOPES.get(method)
    if not scopes:
        return None
    if "" in scopes:
        return scopes[""]
    if method == "conversations.open":
        users = call.args.get("users")
        if isinstance(users, str):
            users = [user for user in users.split(",") if user]
        return scopes["mpim" if users and len(users) > 1 else "im"]
    channel = world.channels.get(str(call.args.get("channel") or ""))
    if channel is None or channel.team_id != call.team.id:
        return None
    return scopes[channel.kind]


def method_table() -> tuple[dict[str, Handler], Callable[[str], Callable[[Handler], Handler]]]:
    """A family's table of handlers and the decorator that fills it:
    `HANDLERS, api = method_table()`, then `@api("chat.postMessage")` on a handler."""
    table: dict[str, Handler] = {}

    def api(method: str) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            table[method] = handler
            return handler

        return register

    return table, api
