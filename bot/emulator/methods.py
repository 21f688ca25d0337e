"""The Web API methods FakeSlack answers: a table of method name → small handler.

Each handler gets the authenticated call and returns Slack's answer without "ok"; a refusal
raises SlackError. Handlers keep Slack's rules (which channel accepts a post, a trigger is good
once, a view hash must match) and leave the server and its records to FakeSlack.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.emulator.blocks import fill_ids
from bot.emulator.limits import message_problems
from bot.emulator.records import Channel, Team, UploadedFile, View

if TYPE_CHECKING:
    from bot.emulator.web_api import FakeSlack

__all__ = [
    "APP_TOKEN",
    "HANDLERS",
    "METHOD_SCOPES",
    "NO_SCOPE",
    "NO_TOKEN",
    "Call",
    "Grant",
    "SlackError",
    "Upload",
    "api",
    "check_message_blocks",
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


Handler = Callable[["FakeSlack", Call], dict[str, Any]]
HANDLERS: dict[str, Handler] = {}
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
}


def check_message_blocks(blocks: Any) -> None:
    """Refuse a message's blocks as Slack does: invalid_blocks, with Slack's reasons."""
    problems = message_problems(blocks)
    if problems:
        raise SlackError("invalid_blocks", response_metadata={"messages": problems})


def needed_scope(fake: FakeSlack, method: str, call: Call) -> str | None:
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
    channel = fake.channels.get(str(call.args.get("channel") or ""))
    if channel is None or channel.team_id != call.team.id:
        return None
    return scopes[channel.kind]


def api(method: str) -> Callable[[Handler], Handler]:
    """Register a handler for a Web API method."""

    def register(handler: Handler) -> Handler:
        HANDLERS[method] = handler
        return handler

    return register


@api("auth.test")
def _auth_test(fake: FakeSlack, call: Call) -> dict[str, Any]:
    team = call.team
    bot = fake.users.get(team.bot_user_id)
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
def _auth_revoke(fake: FakeSlack, call: Call) -> dict[str, Any]:
    assert call.token is not None  # checked by FakeSlack._authenticate
    fake.revoke(call.token)
    return {"revoked": True}


@api("users.info")
def _users_info(fake: FakeSlack, call: Call) -> dict[str, Any]:
    call.require("user")
    user = fake.user_info(call.team, call.args["user"])
    if str(call.args.get("include_locale", "")).lower() in ("1", "true"):
        user["locale"] = fake.users[user["id"]].locale
    return {"user": user}


@api("chat.postMessage")
def _chat_post_message(fake: FakeSlack, call: Call) -> dict[str, Any]:
    call.require("channel")
    channel = fake._writable(call.team, call.args["channel"])
    message = fake._new_message(call.team, channel, call.args)
    fake.messages[channel.id].append(message)
    return {"channel": channel.id, "ts": message.ts, "message": message.to_payload()}


@api("chat.postEphemeral")
def _chat_post_ephemeral(fake: FakeSlack, call: Call) -> dict[str, Any]:
    call.require("channel", "user")
    channel = fake._writable(call.team, call.args["channel"])
    user = fake._user(call.team, call.args["user"])
    message = fake._new_message(call.team, channel, call.args)
    message.ephemeral_to = user.id
    fake.messages[channel.id].append(message)
    return {"message_ts": message.ts}


@api("chat.update")
def _chat_update(fake: FakeSlack, call: Call) -> dict[str, Any]:
    call.require("channel", "ts")
    channel = fake._channel(call.team, call.args["channel"])
    # Ephemeral messages cannot be updated through chat.update (only via response_url).
    message = fake.find_message(channel.id, call.args["ts"], ephemeral=False)
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
def _chat_delete(fake: FakeSlack, call: Call) -> dict[str, Any]:
    call.require("channel", "ts")
    channel = fake._channel(call.team, call.args["channel"])
    message = fake.find_message(channel.id, call.args["ts"], ephemeral=False)
    if message is None:
        raise SlackError("message_not_found")
    message.deleted = True
    return {"channel": channel.id, "ts": message.ts}


@api("conversations.open")
def _conversations_open(fake: FakeSlack, call: Call) -> dict[str, Any]:
    users = call.args.get("users")
    if isinstance(users, str):
        users = [user for user in users.split(",") if user]
    if not users:
        call.require("users")
    members = [fake._user(call.team, user_id) for user_id in users]
    if len(members) == 1:
        already_open = "D" + members[0].id in fake.channels
        return {
            "channel": {"id": fake._open_dm(call.team, members[0]).id},
            "already_open": already_open,
        }
    # A group DM: one channel per set of members.
    channel_id = "G" + uuid.uuid5(uuid.NAMESPACE_OID, ",".join(sorted(users))).hex[:10].upper()
    already_open = channel_id in fake.channels
    if not already_open:
        fake.channels[channel_id] = Channel(
            channel_id, call.team.id, "mpdm", is_private=True, is_mpim=True
        )
    return {"channel": {"id": channel_id}, "already_open": already_open}


@api("conversations.info")
def _conversations_info(fake: FakeSlack, call: Call) -> dict[str, Any]:
    call.require("channel")
    return {"channel": fake._channel(call.team, call.args["channel"]).to_api()}


@api("views.open")
def _views_open(fake: FakeSlack, call: Call) -> dict[str, Any]:
    call.require("view")
    trigger = fake._use_trigger(call)
    view_id = fake._new_id("V")
    payload = fake._view_payload(
        call.team, call.args["view"], view_id=view_id, root_view_id=view_id, previous=None
    )
    if payload["type"] != "modal":
        raise SlackError("invalid_arguments")
    fake.views[view_id] = View(view_id, call.team.id, trigger.user_id, payload, "modal", view_id)
    return {"view": payload}


@api("views.push")
def _views_push(fake: FakeSlack, call: Call) -> dict[str, Any]:
    call.require("view")
    trigger = fake._use_trigger(call)
    stack = [view for view in fake.open_modals(trigger.user_id) if view.team_id == call.team.id]
    if not stack:
        raise SlackError("not_found")
    return {"view": fake._push_view(stack[-1], call.args["view"]).view}


@api("views.update")
def _views_update(fake: FakeSlack, call: Call) -> dict[str, Any]:
    call.require("view")
    view = fake._find_view(call)
    if call.args.get("hash") and call.args["hash"] != view.hash:
        raise SlackError("hash_conflict")
    fake._replace_view(view, call.args["view"])
    return {"view": view.view}


@api("views.publish")
def _views_publish(fake: FakeSlack, call: Call) -> dict[str, Any]:
    call.require("user_id", "view")
    user = fake._user(call.team, call.args["user_id"])
    home = fake.home_view(user.id)
    if home is not None and call.args.get("hash") and call.args["hash"] != home.hash:
        raise SlackError("hash_conflict")
    view_id = home.id if home is not None else fake._new_id("V")
    payload = fake._view_payload(
        call.team, call.args["view"], view_id=view_id, root_view_id=view_id, previous=None
    )
    if payload["type"] != "home":
        raise SlackError("invalid_arguments")
    fake.views[view_id] = View(view_id, call.team.id, user.id, payload, "home", view_id)
    return {"view": payload}


@api("usergroups.list")
def _usergroups_list(fake: FakeSlack, call: Call) -> dict[str, Any]:
    include_users = str(call.args.get("include_users", "")).lower() in {"1", "true"}
    return {
        "usergroups": [
            group.to_api(include_users=include_users)
            for group in fake.usergroups.values()
            if group.team_id == call.team.id
        ]
    }


@api("usergroups.users.list")
def _usergroups_users_list(fake: FakeSlack, call: Call) -> dict[str, Any]:
    call.require("usergroup")
    group = fake.usergroups.get(call.args["usergroup"])
    if group is None or group.team_id != call.team.id:
        raise SlackError("no_such_subteam")
    return {"users": list(group.users)}


@api("files.getUploadURLExternal")
def _files_get_upload_url(fake: FakeSlack, call: Call) -> dict[str, Any]:
    call.require("filename", "length")
    try:
        length = int(call.args["length"])
    except (TypeError, ValueError):
        raise SlackError("invalid_arguments") from None
    file_id = fake._new_id("F")
    fake._uploads[file_id] = Upload(
        file_id, str(call.args["filename"]), length, call.team.id, call.token
    )
    return {"upload_url": f"{fake.root_url}/upload/{file_id}", "file_id": file_id}


@api("files.completeUploadExternal")
def _files_complete_upload(fake: FakeSlack, call: Call) -> dict[str, Any]:
    call.require("files")
    files = call.args["files"]
    if not isinstance(files, list) or not all(isinstance(f, dict) and f.get("id") for f in files):
        raise SlackError("invalid_arguments")
    channel_id = call.args.get("channel_id") or None
    if channel_id is not None:
        channel_id = fake._writable(call.team, channel_id).id
    uploads = [fake._uploads.get(f["id"]) for f in files]
    if any(u is None or u.team_id != call.team.id or u.content is None for u in uploads):
        raise SlackError("file_not_found")
    answer = []
    for sent, upload in zip(files, uploads, strict=True):
        assert upload is not None and upload.content is not None
        title = sent.get("title") or upload.filename
        fake.files.append(
            UploadedFile(
                id=upload.file_id,
                filename=upload.filename,
                title=title,
                content=upload.content,
                channel_id=channel_id,
                initial_comment=call.args.get("initial_comment") or None,
                thread_ts=call.args.get("thread_ts") or None,
                team_id=call.team.id,
                user=call.team.bot_user_id,
                token=call.token,
            )
        )
        del fake._uploads[upload.file_id]
        answer.append({"id": upload.file_id, "title": title, "name": upload.filename})
    return {"files": answer}


@api("apps.connections.open")
def _apps_connections_open(fake: FakeSlack, call: Call) -> dict[str, Any]:
    assert call.token is not None  # checked by FakeSlack._authenticate
    return {"url": fake._new_socket_url(fake._app_tokens[call.token])}


@api("oauth.v2.access")
def _oauth_v2_access(fake: FakeSlack, call: Call) -> dict[str, Any]:
    if not call.client_id:
        raise SlackError("invalid_client_id")
    if not call.client_secret:
        raise SlackError("bad_client_secret")
    if call.args.get("grant_type") == "refresh_token":
        call.require("refresh_token")
        grant = fake._refresh_tokens.pop(call.args["refresh_token"], None)
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
        fake._install(rotated)
        return rotated.answer()
    call.require("code")
    grant = fake._codes.pop(call.args["code"], None)
    if grant is None:
        raise SlackError("invalid_code")
    return grant.answer()
