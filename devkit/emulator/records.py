"""What the Slack emulator knows (teams, users, channels) and what it recorded (calls, messages,
views, files, response_url posts, Socket Mode envelopes). Plain dataclasses: tests read them
directly."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Team:
    id: str
    name: str
    domain: str
    bot_token: str
    bot_user_id: str
    bot_id: str
    # Set for a workspace inside an Enterprise Grid org.
    enterprise_id: str | None = None
    enterprise_name: str | None = None
    # The bot scopes granted at install; None: every scope (a team set up by hand in a test
    # that is not about scopes).
    scopes: frozenset[str] | None = None

    @property
    def enterprise(self) -> dict[str, str] | None:
        """The `enterprise` object of OAuth answers and interaction payloads."""
        if self.enterprise_id is None:
            return None
        return {"id": self.enterprise_id, "name": self.enterprise_name or self.enterprise_id}


@dataclass
class User:
    id: str
    team_id: str
    name: str
    real_name: str
    is_admin: bool = False
    is_owner: bool = False
    is_primary_owner: bool = False
    tz: str = "Europe/Paris"
    tz_offset: int = 3600
    is_bot: bool = False
    deleted: bool = False
    # Guests: multi-channel (restricted) and single-channel (ultra restricted).
    is_restricted: bool = False
    is_ultra_restricted: bool = False
    # Workspaces that see this user of another organisation through a Slack Connect shared
    # channel: their users.info answers it, with `is_stranger` (see FakeSlack.user_info).
    shared_with: frozenset[str] = frozenset()
    # Slack's `locale`, answered only to users.info with include_locale (bot.slack.locale).
    locale: str = "en-US"

    def to_api(self) -> dict[str, Any]:
        """The `user` object of users.info."""
        return {
            "id": self.id,
            "team_id": self.team_id,
            "name": self.name,
            "real_name": self.real_name,
            "deleted": self.deleted,
            "is_admin": self.is_admin,
            "is_owner": self.is_owner,
            "is_primary_owner": self.is_primary_owner,
            "is_bot": self.is_bot,
            "is_restricted": self.is_restricted,
            "is_ultra_restricted": self.is_ultra_restricted,
            "tz": self.tz,
            # Slack's labels are long names ("Central European Time"); the zone id is enough
            # for an emulator and needs no table.
            "tz_label": self.tz,
            "tz_offset": self.tz_offset,
            "profile": {"real_name": self.real_name, "display_name": self.name},
        }


@dataclass
class Channel:
    id: str
    team_id: str
    name: str
    is_private: bool = False
    is_archived: bool = False
    bot_is_member: bool = True
    # Set for direct-message channels opened with conversations.open.
    im_user: str | None = None
    is_mpim: bool = False

    @property
    def kind(self) -> str:
        """ "channel", "private", "im" or "mpim": what decides the scope a method needs."""
        if self.im_user is not None:
            return "im"
        if self.is_mpim:
            return "mpim"
        return "private" if self.is_private else "channel"

    def to_api(self) -> dict[str, Any]:
        """The `channel` object of conversations.info."""
        if self.im_user is not None:
            return {"id": self.id, "is_im": True, "user": self.im_user, "is_member": True}
        if self.is_mpim:
            return {"id": self.id, "name": self.name, "is_mpim": True, "is_member": True}
        return {
            "id": self.id,
            "name": self.name,
            "is_channel": not self.is_private,
            "is_group": self.is_private,
            "is_im": False,
            "is_private": self.is_private,
            "is_archived": self.is_archived,
            "is_member": self.bot_is_member,
            "context_team_id": self.team_id,
        }


@dataclass
class Usergroup:
    id: str
    team_id: str
    handle: str
    users: list[str]

    def to_api(self, *, include_users: bool) -> dict[str, Any]:
        group: dict[str, Any] = {
            "id": self.id,
            "team_id": self.team_id,
            "handle": self.handle,
            "name": self.handle,
            "user_count": len(self.users),
        }
        if include_users:
            group["users"] = list(self.users)
        return group


@dataclass
class ApiCall:
    method: str
    token: str | None = field(repr=False)
    args: dict[str, Any]
    team_id: str | None
    at: float
    # None when the call succeeded, else the error Slack answered ("ratelimited", ...).
    error: str | None = None
    # OAuth client credentials (oauth.v2.access), kept out of args like the token.
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    # The caller's TCP port: calls with the same one came over the same connection.
    connection: int | None = None
    # True when FakeSlack did the call and then dropped the connection without answering.
    dropped: bool = False
    # The message a successful chat.postMessage / chat.update made or changed: which one a
    # call was, even when several were posted before anyone looked.
    message_at: tuple[str, str] | None = None  # (channel id, ts)


@dataclass
class Message:
    ts: str
    channel: str
    user: str | None
    text: str
    blocks: list[dict[str, Any]]
    thread_ts: str | None = None
    ephemeral_to: str | None = None
    updated: int = 0
    deleted: bool = False
    team_id: str | None = None
    bot_id: str | None = None

    def to_payload(self) -> dict[str, Any]:
        """The message as Slack shows it in API answers and interaction payloads."""
        payload: dict[str, Any] = {
            "type": "message",
            "ts": self.ts,
            "text": self.text,
            "blocks": self.blocks,
            "team": self.team_id,
        }
        if self.user is not None:
            payload["user"] = self.user
        if self.bot_id is not None:
            payload["bot_id"] = self.bot_id
        if self.thread_ts is not None:
            payload["thread_ts"] = self.thread_ts
        return payload


@dataclass
class ResponseUrlPost:
    id: str
    body: dict[str, Any]
    at: float
    url: str = ""
    # Why the response_url refused the post ("used_url", "expired_url", "invalid_blocks");
    # None for posts it accepted.
    error: str | None = None
    connection: str = ""
    """The sender's end of the TCP connection it came on (address and port): posts that
    share one came over a kept-alive connection."""

    @property
    def text(self) -> str | None:
        return self.body.get("text")

    @property
    def blocks(self) -> list[dict[str, Any]]:
        return self.body.get("blocks") or []

    @property
    def response_type(self) -> str | None:
        return self.body.get("response_type")

    @property
    def replace_original(self) -> bool:
        return _truthy(self.body.get("replace_original"))

    @property
    def delete_original(self) -> bool:
        return _truthy(self.body.get("delete_original"))


@dataclass
class View:
    id: str
    team_id: str
    user_id: str | None
    view: dict[str, Any]
    kind: str  # "modal" | "home"
    root_view_id: str
    previous_view_id: str | None = None
    closed: bool = False
    # The last `errors` response_action the app answered to a submission (block_id → text).
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def hash(self) -> str:
        return self.view["hash"]

    @property
    def callback_id(self) -> str:
        return self.view.get("callback_id") or ""

    @property
    def private_metadata(self) -> str:
        return self.view.get("private_metadata") or ""

    @property
    def blocks(self) -> list[dict[str, Any]]:
        return self.view.get("blocks") or []


@dataclass
class UploadedFile:
    id: str
    filename: str
    title: str | None
    content: bytes
    channel_id: str | None
    initial_comment: str | None
    thread_ts: str | None
    team_id: str | None
    user: str | None
    token: str | None = field(default=None, repr=False)
    # When a person uploads it (a file_input in a modal), the time Slack gives it.
    created: int = 0


@dataclass
class Envelope:
    """One Socket Mode envelope sent to an app over its WebSocket, and the app's ack."""

    envelope_id: str
    type: str  # "slash_commands" | "interactive" | "events_api"
    # What HTTP carries: a command's form fields as a dict, an interaction or event envelope.
    payload: dict[str, Any]
    accepts_response_payload: bool
    retry_attempt: int = 0
    retry_reason: str = ""
    sent_at: float = 0.0
    # Set when the app answers {"envelope_id": ...}, even after Slack stopped waiting.
    acked_at: float | None = None
    # The ack's `payload` (a command reply, a response_action); None when it carried none.
    ack_payload: dict[str, Any] | None = None

    @property
    def acked(self) -> bool:
        return self.acked_at is not None

    def to_message(self) -> dict[str, Any]:
        """The envelope as Slack writes it on the WebSocket."""
        return {
            "envelope_id": self.envelope_id,
            "type": self.type,
            "payload": self.payload,
            "accepts_response_payload": self.accepts_response_payload,
            "retry_attempt": self.retry_attempt,
            "retry_reason": self.retry_reason,
        }


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.lower() in {"1", "true", "yes"}
    return bool(value)
