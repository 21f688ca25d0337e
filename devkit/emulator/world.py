"""Slack's side of things, as one public object: the workspaces, people, channels and groups
the fake knows, the tokens it accepts, and what happened (calls, messages, views, files,
response_url posts). Tests, the console and the method handlers read and change it directly;
the server (`FakeSlack`) only adds HTTP around it.

Only what Slack does is here: no knowledge of any app.
"""

from __future__ import annotations

import secrets
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from devkit.emulator.api import Grant, SlackError, Upload, check_message_blocks
from devkit.emulator.blocks import fill_ids
from devkit.emulator.records import (
    ApiCall,
    Channel,
    Message,
    ResponseUrlPost,
    Team,
    UploadedFile,
    User,
    Usergroup,
    View,
)
from devkit.emulator.response_urls import RESPONSE_URL_TTL, ResponseUrl

__all__ = ["SlackWorld", "Trigger"]

DEFAULT_SCOPE = "commands,chat:write,users:read,files:write"


@dataclass
class Trigger:
    user_id: str | None
    team_id: str | None
    issued_at: float


class SlackWorld:
    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        # Seconds, for the lifetimes of trigger_ids and response_urls: tests may pass a clock
        # they move forward instead of waiting.
        self.clock = clock
        # Set by the server once it listens: the base of response, upload and socket URLs.
        self.root_url = ""
        # who and where
        self.teams: dict[str, Team] = {}
        self.users: dict[str, User] = {}
        self.channels: dict[str, Channel] = {}
        self.usergroups: dict[str, Usergroup] = {}
        # what happened
        self.calls: list[ApiCall] = []
        self.messages: defaultdict[str, list[Message]] = defaultdict(list)
        self.responses: list[ResponseUrlPost] = []
        # The same posts by response_url id: whoever waits for one finds its own at once
        # (a bench waits on 2,000 of them, and reading the whole list for each was the
        # emulator's whole event loop).
        self.responses_to: defaultdict[str, list[ResponseUrlPost]] = defaultdict(list)
        # Told the response_url id of each post taken (the server wakes who waits for it).
        self.on_response: Callable[[str], None] = lambda url_id: None
        # Posts a response_url refused (used five times, expired, invalid blocks), with why.
        self.refused_responses: list[ResponseUrlPost] = []
        self.views: dict[str, View] = {}
        self.files: list[UploadedFile] = []
        # Seconds a trigger_id stays usable, as on Slack; None: forever.
        self.trigger_ttl: float | None = 3.0
        # Seconds a response_url stays usable, as on Slack.
        self.response_url_ttl: float = RESPONSE_URL_TTL
        # credentials and what they lead to
        self.tokens: dict[str, str] = {}  # bot token → team id
        self.dead_tokens: dict[str, str] = {}  # token → "token_revoked" | "token_expired"
        self.app_tokens: dict[str, str] = {}  # app-level token → app id
        self.socket_tickets: dict[str, str] = {}  # unused Socket Mode URL id → app id
        self.codes: dict[str, Grant] = {}  # OAuth code → what it grants
        self.refresh_tokens: dict[str, Grant] = {}
        self.response_urls: dict[str, ResponseUrl] = {}  # URL id → where it posts
        self.triggers: dict[str, Trigger] = {}
        self.used_triggers: set[str] = set()
        self.uploads: dict[str, Upload] = {}  # file id → an upload not completed yet
        self.serial = 0

    # ------------------------------------------------------------------ setting up

    def add_team(
        self,
        team_id: str,
        name: str,
        *,
        bot_token: str,
        bot_user_id: str = "UBOT",
        bot_id: str = "BBOT",
        domain: str | None = None,
        enterprise_id: str | None = None,
        enterprise_name: str | None = None,
        scopes: Iterable[str] | None = None,
    ) -> Team:
        """A workspace where the app is installed; with `enterprise_id` one inside an Enterprise
        Grid org. `scopes`: the bot scopes it was granted (a method needing another answers
        missing_scope); None grants every scope."""
        team = Team(
            id=team_id,
            name=name,
            domain=domain or _slug(name) or team_id.lower(),
            bot_token=bot_token,
            bot_user_id=bot_user_id,
            bot_id=bot_id,
            enterprise_id=enterprise_id,
            enterprise_name=enterprise_name,
            scopes=None if scopes is None else frozenset(scopes),
        )
        self.teams[team_id] = team
        self.tokens[bot_token] = team_id
        if bot_user_id not in self.users:
            self.add_user(team_id, bot_user_id, "bot", real_name=name, is_bot=True)
        return team

    def add_user(
        self,
        team_id: str,
        user_id: str,
        name: str,
        *,
        real_name: str | None = None,
        is_admin: bool = False,
        is_owner: bool = False,
        is_primary_owner: bool = False,
        tz: str = "Europe/Paris",
        tz_offset: int = 3600,
        is_bot: bool = False,
        deleted: bool = False,
        is_restricted: bool = False,
        is_ultra_restricted: bool = False,
        shared_with: Iterable[str] = (),
        locale: str = "en-US",
    ) -> User:
        """A user of `team_id`; with `shared_with`, one of another organisation whom those
        workspaces see in a Slack Connect shared channel (users.info says `is_stranger`)."""
        user = User(
            id=user_id,
            team_id=team_id,
            name=name,
            real_name=real_name or name,
            is_admin=is_admin,
            is_owner=is_owner or is_primary_owner,
            is_primary_owner=is_primary_owner,
            tz=tz,
            tz_offset=tz_offset,
            is_bot=is_bot,
            deleted=deleted,
            is_restricted=is_restricted,
            is_ultra_restricted=is_ultra_restricted,
            shared_with=frozenset(shared_with),
            locale=locale,
        )
        self.users[user_id] = user
        return user

    def add_channel(
        self,
        team_id: str,
        channel_id: str,
        name: str,
        *,
        is_private: bool = False,
        is_archived: bool = False,
        bot_is_member: bool = True,
    ) -> Channel:
        channel = Channel(
            id=channel_id,
            team_id=team_id,
            name=name,
            is_private=is_private,
            is_archived=is_archived,
            bot_is_member=bot_is_member,
        )
        self.channels[channel_id] = channel
        return channel

    def open_dm(self, team_id: str, user_id: str) -> Channel:
        """The direct-message channel between the app and a user (its Messages tab), where the
        user may type slash commands."""
        return self.dm_with(self.teams[team_id], self.users[user_id])

    def add_usergroup(
        self, team_id: str, usergroup_id: str, handle: str, user_ids: list[str]
    ) -> None:
        self.usergroups[usergroup_id] = Usergroup(usergroup_id, team_id, handle, list(user_ids))

    def add_oauth_code(
        self,
        code: str,
        *,
        team_id: str,
        team_name: str,
        bot_token: str,
        bot_user_id: str = "UBOT",
        bot_id: str = "BBOT",
        authed_user_id: str,
        scope: str = DEFAULT_SCOPE,
        app_id: str = "AAPP",
        enterprise_id: str | None = None,
        enterprise_name: str | None = None,
        refresh_token: str | None = None,
        expires_in: int | None = None,
        org_wide: bool = False,
    ) -> None:
        grant = Grant(
            team_id=team_id,
            team_name=team_name,
            bot_token=bot_token,
            bot_user_id=bot_user_id,
            bot_id=bot_id,
            authed_user_id=authed_user_id,
            scope=scope,
            app_id=app_id,
            enterprise_id=enterprise_id,
            refresh_token=refresh_token,
            expires_in=expires_in,
            enterprise_name=enterprise_name,
            org_wide=org_wide,
        )
        self.codes[code] = grant
        self.install(grant)

    def install(self, grant: Grant) -> None:
        """Make the grant's bot token work for its team (creating the team if new)."""
        team = self.teams.get(grant.team_id)
        if team is None:
            self.add_team(
                grant.team_id,
                grant.team_name,
                bot_token=grant.bot_token,
                bot_user_id=grant.bot_user_id,
                bot_id=grant.bot_id,
                enterprise_id=grant.enterprise_id,
                enterprise_name=grant.enterprise_name,
                scopes=_scope_set(grant.scope),
            )
        else:
            team.bot_token = grant.bot_token
            team.scopes = _scope_set(grant.scope)
            self.tokens[grant.bot_token] = team.id
        if grant.refresh_token is not None:
            self.refresh_tokens[grant.refresh_token] = grant

    def add_app_token(self, token: str, *, app_id: str = "AAPP") -> None:
        """An app-level token (xapp-…): apps.connections.open accepts it, and only that."""
        self.app_tokens[token] = app_id

    def revoke(self, token: str) -> None:
        """Later calls with `token` answer token_revoked (unknown tokens answer invalid_auth)."""
        self.dead_tokens[token] = "token_revoked"

    def expire(self, token: str) -> None:
        """Later calls with `token` answer token_expired, as a rotated token past expires_in."""
        self.dead_tokens[token] = "token_expired"

    # ------------------------------------------------------------------ handing things out

    def new_response_url(
        self,
        *,
        team_id: str | None = None,
        channel_id: str | None = None,
        user_id: str | None = None,
        message_ts: str | None = None,
    ) -> str:
        """A fresh response_url. With a channel, what the app posts to it shows up in `messages`
        as on Slack: a new (ephemeral unless in_channel) message, or the original message at
        `message_ts` replaced or deleted."""
        url_id = uuid.uuid4().hex
        self.response_urls[url_id] = ResponseUrl(
            team_id, channel_id, user_id, message_ts, issued_at=self.clock()
        )
        return f"{self.root_url}/response/{url_id}"

    def issued_response_urls(self) -> list[str]:
        """Every response_url handed out so far: bearer links, which must never be logged."""
        return [f"{self.root_url}/response/{url_id}" for url_id in self.response_urls]

    def new_trigger_id(self, *, user_id: str | None = None, team_id: str | None = None) -> str:
        self.serial += 1
        trigger_id = f"{1000 + self.serial}.{secrets.randbelow(10**10):010d}.{uuid.uuid4().hex}"
        self.triggers[trigger_id] = Trigger(user_id, team_id, self.clock())
        return trigger_id

    def new_socket_url(self, app_id: str) -> str:
        """A Socket Mode URL, good for one connection."""
        ticket = uuid.uuid4().hex
        self.socket_tickets[ticket] = app_id
        return "ws" + self.root_url.removeprefix("http") + f"/socket/{ticket}"

    def next_ts(self) -> str:
        # Strictly increasing and Slack-shaped; fixed seconds keep test output stable.
        self.serial += 1
        micros = 1_700_000_000_000_000 + 100 * self.serial
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def user_upload(
        self, team_id: str, user_id: str, filename: str, content: bytes | str
    ) -> UploadedFile:
        """A file `user_id` picked in a modal's file_input: Slack stores it (shared nowhere)
        and the view_submission carries its id (`driver.submit_view(values=... [file.id])`)."""
        data = content.encode() if isinstance(content, str) else bytes(content)
        file = UploadedFile(
            id=self.new_id("F"),
            filename=filename,
            title=filename,
            content=data,
            channel_id=None,
            initial_comment=None,
            thread_ts=None,
            team_id=team_id,
            user=user_id,
            created=int(time.time()),
        )
        self.files.append(file)
        return file

    def new_id(self, prefix: str) -> str:
        self.serial += 1
        return f"{prefix}{self.serial:08X}"

    # ------------------------------------------------------------------ reading

    def team_of(self, token: str) -> str | None:
        return self.tokens.get(token)

    def display_name(self, user_id: str) -> str | None:
        """A `users` lookup for the renderer."""
        user = self.users.get(user_id)
        return None if user is None else user.name

    def calls_to(self, method: str) -> list[ApiCall]:
        return [call for call in self.calls if call.method == method]

    def open_modals(self, user_id: str | None = None) -> list[View]:
        """Open modal views, oldest first (the last one is on top)."""
        return [
            view
            for view in self.views.values()
            if view.kind == "modal"
            and not view.closed
            and (user_id is None or view.user_id == user_id)
        ]

    def home_view(self, user_id: str) -> View | None:
        for view in self.views.values():
            if view.kind == "home" and view.user_id == user_id:
                return view
        return None

    def find_message(
        self, channel: str, ts: str, *, ephemeral: bool | None = None
    ) -> Message | None:
        for message in self.messages.get(channel, []):
            if message.ts != ts or message.deleted:
                continue
            if ephemeral is None or (message.ephemeral_to is not None) == ephemeral:
                return message
        return None

    # ------------------------------------------------------------------ Slack's rules

    def channel_for(self, team: Team, channel_id: str) -> Channel:
        """The conversation `channel_id` names for `team` (an id, `#name`, or a user id for
        the DM with that user), or channel_not_found."""
        channel = self.channels.get(channel_id)
        if channel is None and channel_id.startswith("#"):
            channel = next(
                (
                    c
                    for c in self.channels.values()
                    if c.team_id == team.id and c.name == channel_id[1:]
                ),
                None,
            )
        if channel is None and channel_id in self.users:
            # Posting to a user id lands in the DM with that user.
            channel = self.dm_with(team, self.users[channel_id])
        if channel is None or channel.team_id != team.id:
            raise SlackError("channel_not_found")
        return channel

    def writable_channel(self, team: Team, channel_id: str) -> Channel:
        channel = self.channel_for(team, channel_id)
        if channel.is_archived:
            raise SlackError("is_archived")
        if not channel.bot_is_member:
            raise SlackError("not_in_channel")
        return channel

    def member(self, team: Team, user_id: str) -> User:
        """A user of `team` itself, or user_not_found."""
        user = self.users.get(user_id)
        if user is None or user.team_id != team.id:
            raise SlackError("user_not_found")
        return user

    def dm_with(self, team: Team, user: User) -> Channel:
        channel_id = "D" + user.id
        if channel_id not in self.channels:
            self.channels[channel_id] = Channel(channel_id, team.id, user.name, im_user=user.id)
        return self.channels[channel_id]

    def new_message(self, team: Team, channel: Channel, args: dict[str, Any]) -> Message:
        """The message a chat.post* call makes (not stored yet), or Slack's refusal."""
        blocks = args.get("blocks")
        check_message_blocks(blocks)
        if not args.get("text") and not blocks and not args.get("attachments"):
            raise SlackError("no_text")
        return Message(
            ts=self.next_ts(),
            channel=channel.id,
            user=team.bot_user_id,
            text=args.get("text") or "",
            blocks=fill_ids(blocks),
            thread_ts=args.get("thread_ts") or None,
            team_id=team.id,
            bot_id=team.bot_id,
        )


def _scope_set(scope: str) -> frozenset[str]:
    return frozenset(part.strip() for part in scope.split(",") if part.strip())


def _slug(name: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in name.lower()).strip("-")
