"""A fake of the Slack Web API on a loopback port.

slack_sdk's `AsyncWebClient(base_url=fake.api_url)` talks to it over real HTTP; every call is
recorded in `calls`, and what the calls did (messages, views, files, response_url posts) is kept
in plain dataclasses so tests and the console can read Slack's side of a conversation. Apps
may also connect over Socket Mode (apps.connections.open, then a WebSocket: `socket_mode`).

Only what Slack does is here: no knowledge of any app. Tokens never reach a log: aiohttp's
access log is off and nothing in this module logs a request.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import secrets
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from aiohttp import BodyPartReader, web

from bot.emulator.blocks import fill_ids
from bot.emulator.limits import message_problems, view_problems
from bot.emulator.methods import (
    APP_TOKEN,
    HANDLERS,
    NO_TOKEN,
    Call,
    Grant,
    SlackError,
    Upload,
    check_message_blocks,
    needed_scope,
)
from bot.emulator.records import (
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
from bot.emulator.socket_mode import SocketConnection

__all__ = ["FakeSlack", "SlackError"]

# Fields Slack accepts as JSON text inside form data.
_JSON_FIELDS = frozenset({"blocks", "view", "files", "attachments", "metadata"})
# Slack lets a response_url be used five times within 30 minutes.
_RESPONSE_URL_USES = 5
_RESPONSE_URL_TTL = 30 * 60.0
# How long a views.update waits for the view_submission in flight for its view (see
# FakeSlack.hold_view_updates): past Slack's 3 s ack deadline the submission has failed anyway.
_SUBMISSION_HOLD = 5.0
# Slack keeps at most three views in a modal stack.
_MAX_STACK = 3
_DEFAULT_SCOPE = "commands,chat:write,users:read,files:write"
_SHUTDOWN_TIMEOUT = 0.5
# The team of calls made without a token (oauth.v2.access).
_NO_TEAM = Team("", "", "", "", "", "")


@dataclass
class _Fault:
    method: str
    error: str
    remaining: int | None  # None: forever
    channel: str | None = None
    retry_after: int | None = None  # set for rate limits (HTTP 429)
    status: int | None = None  # set for server errors: this HTTP status, nothing done


@dataclass
class _ResponseUrl:
    """Where a response_url posts: the conversation and, for message actions, the message."""

    team_id: str | None
    channel_id: str | None
    user_id: str | None
    message_ts: str | None
    issued_at: float = 0.0  # FakeSlack.clock()
    uses: int = 0


@dataclass
class _Trigger:
    user_id: str | None
    team_id: str | None
    issued_at: float


class FakeSlack:
    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        # Seconds, for the lifetimes of trigger_ids and response_urls: tests may pass a clock
        # they move forward instead of waiting.
        self.clock = clock
        # world
        self.teams: dict[str, Team] = {}
        self.users: dict[str, User] = {}
        self.channels: dict[str, Channel] = {}
        self.usergroups: dict[str, Usergroup] = {}
        # records
        self.calls: list[ApiCall] = []
        self.messages: defaultdict[str, list[Message]] = defaultdict(list)
        self.responses: list[ResponseUrlPost] = []
        # Posts a response_url refused (used five times, expired, invalid blocks), with why.
        self.refused_responses: list[ResponseUrlPost] = []
        self.views: dict[str, View] = {}
        self.files: list[UploadedFile] = []
        # Open Socket Mode connections, newest last.
        self.socket_connections: list[SocketConnection] = []
        # Seconds a trigger_id stays usable, as on Slack; None: forever.
        self.trigger_ttl: float | None = 3.0
        # Seconds a response_url stays usable, as on Slack.
        self.response_url_ttl: float = _RESPONSE_URL_TTL

        self._tokens: dict[str, str] = {}  # token → team id
        self._dead_tokens: dict[str, str] = {}  # token → "token_revoked" | "token_expired"
        self._app_tokens: dict[str, str] = {}  # app-level token → app id
        self._socket_tickets: dict[str, str] = {}  # unused Socket Mode URL id → app id
        self._codes: dict[str, Grant] = {}
        self._refresh_tokens: dict[str, Grant] = {}
        self._faults: list[_Fault] = []
        self._drops: dict[str, int] = {}  # method → calls left to drop after doing them
        self._delays: dict[str, float] = {}  # method → seconds Slack takes to answer it
        self._response_urls: dict[str, _ResponseUrl] = {}
        self._triggers: dict[str, _Trigger] = {}
        self._used_triggers: set[str] = set()
        self._uploads: dict[str, Upload] = {}
        # View id → set once the view_submission in flight for it has been answered.
        self._submissions: dict[str, asyncio.Event] = {}
        self._serial = 0
        self._runner: web.AppRunner | None = None
        self._root_url: str | None = None

    # ------------------------------------------------------------------ server

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        if self._runner is not None:
            raise RuntimeError("FakeSlack already started")
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._handle_api)
        app.router.add_post("/response/{id}", self._handle_response_url)
        app.router.add_post("/upload/{file_id}", self._handle_upload)
        app.router.add_get("/socket/{ticket}", self._handle_socket)
        # Sites stop listening first, then open sockets are closed before handlers are cancelled.
        app.on_shutdown.append(self._close_sockets)
        # access_log=None: tokens travel in headers and form fields.
        runner = web.AppRunner(
            app, access_log=None, handle_signals=False, shutdown_timeout=_SHUTDOWN_TIMEOUT
        )
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self._root_url = f"http://{host}:{runner.addresses[0][1]}"

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> FakeSlack:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def root_url(self) -> str:
        if self._root_url is None:
            raise RuntimeError("FakeSlack not started")
        return self._root_url

    @property
    def api_url(self) -> str:
        # The trailing slash is slack_sdk's base_url format.
        return self.root_url + "/api/"

    # ------------------------------------------------------------------ world

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
        self._tokens[bot_token] = team_id
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
            is_owner=is_owner,
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
        return self._open_dm(self.teams[team_id], self.users[user_id])

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
        scope: str = _DEFAULT_SCOPE,
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
        self._codes[code] = grant
        self._install(grant)

    def _install(self, grant: Grant) -> None:
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
            self._tokens[grant.bot_token] = team.id
        if grant.refresh_token is not None:
            self._refresh_tokens[grant.refresh_token] = grant

    def add_app_token(self, token: str, *, app_id: str = "AAPP") -> None:
        """An app-level token (xapp-…): apps.connections.open accepts it, and only that."""
        self._app_tokens[token] = app_id

    def revoke(self, token: str) -> None:
        """Later calls with `token` answer token_revoked (unknown tokens answer invalid_auth)."""
        self._dead_tokens[token] = "token_revoked"

    def expire(self, token: str) -> None:
        """Later calls with `token` answer token_expired, as a rotated token past expires_in."""
        self._dead_tokens[token] = "token_expired"

    def team_of(self, token: str) -> str | None:
        return self._tokens.get(token)

    def display_name(self, user_id: str) -> str | None:
        """A `users` lookup for the renderer."""
        user = self.users.get(user_id)
        return None if user is None else user.name

    # ------------------------------------------------------------------ faults

    def fail(
        self, method: str, error: str, *, times: int | None = 1, channel: str | None = None
    ) -> None:
        """Answer {"ok": false, "error": error} to the next `times` calls of `method` (every call
        when times is None), optionally only those aimed at `channel`."""
        self._faults.append(_Fault(method, error, times, channel))

    def drop_connection(self, method: str, *, times: int = 1) -> None:
        """Do the next `times` calls of `method`, then close the connection without answering:
        the caller sees a dropped connection and cannot know that Slack did it."""
        self._drops[method] = self._drops.get(method, 0) + times

    def server_error(self, method: str, *, status: int = 500, times: int = 1) -> None:
        """Answer HTTP `status` (500, 503…) to the next `times` calls of `method`, doing
        nothing, as Slack does when it has trouble of its own."""
        self._faults.append(_Fault(method, "internal_error", times, status=status))

    def rate_limit(self, method: str, *, retry_after: int = 1, times: int = 1) -> None:
        """Answer HTTP 429 with Retry-After to the next `times` calls of `method`."""
        self._faults.append(_Fault(method, "ratelimited", times, retry_after=retry_after))

    def slow(self, method: str, seconds: float) -> None:
        """Answer every later call of `method` only after `seconds` (0 ends it): Slack's
        lookups can be slow, and a trigger_id does not wait."""
        if seconds > 0:
            self._delays[method] = seconds
        else:
            self._delays.pop(method, None)

    def _take_fault(self, method: str, args: dict[str, Any]) -> _Fault | None:
        channel = args.get("channel") or args.get("channel_id")
        for fault in self._faults:
            if fault.method != method or (fault.channel and fault.channel != channel):
                continue
            if fault.remaining is not None:
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
            return fault
        return None

    # ------------------------------------------------------------------ helpers for tests

    async def wait_for(
        self,
        predicate: Callable[[], Any],
        timeout: float = 5.0,  # noqa: ASYNC109 - a polling deadline, part of the API
    ) -> Any:
        """Poll until predicate() is truthy and return its value. The app answers Slack after
        acking, so what it does lands here a little later than the driver's request returns."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() >= deadline:
                recent = ", ".join(
                    call.method + ("" if call.error is None else f"({call.error})")
                    for call in self.calls[-10:]
                )
                name = getattr(predicate, "__qualname__", repr(predicate))
                raise AssertionError(
                    f"{name} still false after {timeout}s; last Web API calls: [{recent}], "
                    f"{len(self.responses)} response_url post(s)"
                )
            await asyncio.sleep(0.01)

    async def wait_socket_connected(
        self,
        timeout: float = 5.0,  # noqa: ASYNC109 - a polling deadline, part of the API
    ) -> SocketConnection:
        """The newest Socket Mode connection, once an app has connected and been sent hello."""

        def connected() -> SocketConnection | None:
            ready = [c for c in self.socket_connections if c.hello_sent and not c.closed]
            return ready[-1] if ready else None

        connected.__qualname__ = "a Socket Mode connection"
        return await self.wait_for(connected, timeout)

    def calls_to(self, method: str) -> list[ApiCall]:
        return [call for call in self.calls if call.method == method]

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
        self._response_urls[url_id] = _ResponseUrl(
            team_id, channel_id, user_id, message_ts, issued_at=self.clock()
        )
        return f"{self.root_url}/response/{url_id}"

    def issued_response_urls(self) -> list[str]:
        """Every response_url handed out so far: bearer links, which must never be logged."""
        return [f"{self.root_url}/response/{url_id}" for url_id in self._response_urls]

    def new_trigger_id(self, *, user_id: str | None = None, team_id: str | None = None) -> str:
        self._serial += 1
        trigger_id = f"{1000 + self._serial}.{secrets.randbelow(10**10):010d}.{uuid.uuid4().hex}"
        self._triggers[trigger_id] = _Trigger(user_id, team_id, self.clock())
        return trigger_id

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

    def hold_view_updates(self, view_id: str) -> None:
        """A view_submission for `view_id` is in flight: until `after_view_submission` (or
        `release_view_updates`), a views.update aimed at that view waits, then applies.

        Slack applies a submission's ack (response_action) when the app's HTTP answer arrives,
        and a Bolt app sends that answer before any follow-up call it makes, so on Slack the ack
        comes first and the app's own views.update second. The driver reads the answer a little
        later than the app sends it; without the hold, an update that reached the fake first
        would be overwritten by the ack. Hash checks happen when the update is applied.

        An app that awaits such a views.update before acking (against Slack's advice: ack
        first) waits out the hold (_SUBMISSION_HOLD) and its ack is then late. A held call is
        already in `calls`, with `error` None until it is answered."""
        self._submissions.setdefault(view_id, asyncio.Event())

    def release_view_updates(self, view_id: str) -> None:
        event = self._submissions.pop(view_id, None)
        if event is not None:
            event.set()

    async def _wait_for_submission(self, args: dict[str, Any], team_id: str | None) -> None:
        view_id = args.get("view_id")
        if not view_id and args.get("external_id"):
            view_id = next(
                (
                    v.id
                    for v in self.views.values()
                    if v.team_id == team_id
                    and not v.closed
                    and v.view.get("external_id") == args["external_id"]
                ),
                None,
            )
        event = self._submissions.get(str(view_id or ""))
        if event is not None:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(_SUBMISSION_HOLD):
                    await event.wait()

    def after_view_submission(self, view_id: str, ack: Any) -> None:
        """Do what Slack does with an app's answer to a view_submission: close the view (empty
        ack), or apply its response_action (errors, update, push, clear). Releases the
        views.update calls held for the view."""
        try:
            self._apply_submission_ack(view_id, ack)
        finally:
            self.release_view_updates(view_id)

    def _apply_submission_ack(self, view_id: str, ack: Any) -> None:
        view = self.views.get(view_id)
        if view is None:
            return
        action = ack.get("response_action") if isinstance(ack, dict) else None
        view.errors = {}
        if action == "errors":
            view.errors = dict(ack.get("errors") or {})
        elif action == "update":
            with contextlib.suppress(SlackError):  # an invalid view: Slack shows an error
                self._replace_view(view, ack.get("view") or {})
        elif action == "push":
            with contextlib.suppress(SlackError):  # a full stack: Slack shows an error
                self._push_view(view, ack.get("view") or {})
        elif action == "clear":
            for other in self.views.values():
                if other.root_view_id == view.root_view_id:
                    other.closed = True
        else:
            view.closed = True

    # ------------------------------------------------------------------ HTTP

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        try:
            args = await _read_args(request)
            unreadable = False
        except ValueError:
            args, unreadable = {}, True
        token, client_id, client_secret = _credentials(request, args)
        record = ApiCall(
            method=method,
            token=token,
            args=args,
            team_id=self._tokens.get(token) if token else None,
            at=time.time(),
            client_id=client_id,
            client_secret=client_secret,
            connection=_peer_port(request),
        )
        self.calls.append(record)
        if method == "views.update" and not unreadable:
            await self._wait_for_submission(args, record.team_id)
        if method in self._delays:
            await asyncio.sleep(self._delays[method])
        if unreadable:
            status, headers, body = 200, {}, {"ok": False, "error": "invalid_form_data"}
        else:
            # The placeholder team is replaced once the token is checked.
            call = Call(args, token, _NO_TEAM, client_id, client_secret)
            status, headers, body = self._answer(method, call)
        record.error = None if body.get("ok") else body.get("error")
        if self._drops.get(method) and request.transport is not None:
            self._drops[method] -= 1
            record.dropped = True
            request.transport.abort()  # done, but no answer ever reaches the caller
        return web.json_response(body, status=status, headers=headers)

    def _answer(self, method: str, call: Call) -> tuple[int, dict[str, str], dict[str, Any]]:
        handler = HANDLERS.get(method)
        if handler is None:
            return 200, {}, {"ok": False, "error": "unknown_method"}
        try:
            call.team = self._authenticate(method, call.token)
            self._check_scope(method, call)
            fault = self._take_fault(method, call.args)
            if fault is not None and fault.retry_after is not None:
                return (
                    429,
                    {"Retry-After": str(fault.retry_after)},
                    {"ok": False, "error": "ratelimited"},
                )
            if fault is not None and fault.status is not None:
                return fault.status, {}, {"ok": False, "error": fault.error}
            if fault is not None:
                raise SlackError(fault.error)
            return 200, {}, {"ok": True, **handler(self, call)}
        except SlackError as refusal:
            return 200, {}, {"ok": False, "error": refusal.error, **refusal.extra}

    def _check_scope(self, method: str, call: Call) -> None:
        granted = call.team.scopes
        needed = needed_scope(self, method, call)
        if granted is not None and needed is not None and needed not in granted:
            raise SlackError("missing_scope", needed=needed, provided=",".join(sorted(granted)))

    def _authenticate(self, method: str, token: str | None) -> Team:
        if method in NO_TOKEN:
            return _NO_TEAM
        if not token:
            raise SlackError("not_authed")
        if token in self._dead_tokens:
            raise SlackError(self._dead_tokens[token])
        if method in APP_TOKEN or token in self._app_tokens:
            # App-level tokens open Socket Mode connections, and nothing else does.
            if token not in self._app_tokens and token not in self._tokens:
                raise SlackError("invalid_auth")
            if (method in APP_TOKEN) != (token in self._app_tokens):
                raise SlackError("not_allowed_token_type")
            return _NO_TEAM
        team_id = self._tokens.get(token)
        if team_id is None:
            raise SlackError("invalid_auth")
        return self.teams[team_id]

    async def _handle_response_url(self, request: web.Request) -> web.Response:
        url_id = request.match_info["id"]
        target = self._response_urls.get(url_id)
        if target is None:
            return web.Response(status=404, text="no_such_url")
        try:
            body = json.loads(await request.read() or b"null")
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return web.Response(status=400, text="invalid_payload")
        post = ResponseUrlPost(url_id, body, time.time(), str(request.url))
        if self.clock() - target.issued_at > self.response_url_ttl:
            return self._refuse_response(post, 404, "expired_url")
        if target.uses >= _RESPONSE_URL_USES:
            return self._refuse_response(post, 404, "used_url")
        if message_problems(body.get("blocks")):
            return self._refuse_response(post, 400, "invalid_blocks")
        target.uses += 1
        self.responses.append(post)
        self._apply_response(target, body)
        return web.Response(text="ok")

    def _refuse_response(self, post: ResponseUrlPost, status: int, error: str) -> web.Response:
        post.error = error
        self.refused_responses.append(post)
        return web.Response(status=status, text=error)

    def _apply_response(self, target: _ResponseUrl, body: dict[str, Any]) -> None:
        if target.channel_id is None:
            return
        post = ResponseUrlPost("", body, 0.0)
        original = (
            self.find_message(target.channel_id, target.message_ts) if target.message_ts else None
        )
        if original is not None and post.delete_original:
            original.deleted = True
        elif original is not None and post.replace_original:
            original.text = post.text or ""
            original.blocks = fill_ids(post.blocks)
            original.updated += 1
        elif not post.delete_original:
            team = self.teams.get(target.team_id or "")
            self.messages[target.channel_id].append(
                Message(
                    ts=self._next_ts(),
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

    async def _handle_socket(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(timeout=_SHUTDOWN_TIMEOUT)
        if not ws.can_prepare(request).ok:
            return web.Response(status=400, text="not_a_websocket")
        ticket = request.match_info["ticket"]
        app_id = self._socket_tickets.pop(ticket, None)  # a URL is good for one connection
        if app_id is None:
            return web.Response(status=401, text="invalid_ticket")
        await ws.prepare(request)
        connection = SocketConnection(ticket, app_id, ws)
        self.socket_connections.append(connection)
        try:
            await connection.serve(
                num_connections=sum(c.app_id == app_id for c in self.socket_connections)
            )
        finally:
            self.socket_connections.remove(connection)
        return ws

    async def _close_sockets(self, app: web.Application) -> None:
        for connection in list(self.socket_connections):
            await connection.close()

    def _new_socket_url(self, app_id: str) -> str:
        ticket = uuid.uuid4().hex
        self._socket_tickets[ticket] = app_id
        return "ws" + self.root_url.removeprefix("http") + f"/socket/{ticket}"

    async def _handle_upload(self, request: web.Request) -> web.Response:
        upload = self._uploads.get(request.match_info["file_id"])
        if upload is None:
            return web.Response(status=404, text="file_not_found")
        if request.content_type.startswith("multipart/"):
            content = b""
            reader = await request.multipart()
            async for part in reader:
                if isinstance(part, BodyPartReader) and (part.filename or part.name == "file"):
                    content = await part.read(decode=True)
                    break
        else:
            content = await request.read()
        upload.content = bytes(content)
        return web.Response(text=f"OK - {len(content)}", content_type="text/plain")

    # ------------------------------------------------------------------ shared logic

    def _next_ts(self) -> str:
        # Strictly increasing and Slack-shaped; fixed seconds keep test output stable.
        self._serial += 1
        micros = 1_700_000_000_000_000 + 100 * self._serial
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _new_id(self, prefix: str) -> str:
        self._serial += 1
        return f"{prefix}{self._serial:08X}"

    def _channel(self, team: Team, channel_id: str) -> Channel:
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
            channel = self._open_dm(team, self.users[channel_id])
        if channel is None or channel.team_id != team.id:
            raise SlackError("channel_not_found")
        return channel

    def _writable(self, team: Team, channel_id: str) -> Channel:
        channel = self._channel(team, channel_id)
        if channel.is_archived:
            raise SlackError("is_archived")
        if not channel.bot_is_member:
            raise SlackError("not_in_channel")
        return channel

    def user_info(self, team: Team, user_id: str) -> dict[str, Any]:
        """users.info's `user` as `team`'s token sees it: its own members; in an Enterprise
        Grid org the org's members too (with `enterprise_user`); and people of another
        organisation it shares a Slack Connect channel with, with their own `team_id` and
        `is_stranger`. Anyone else: user_not_found."""
        user = self.users.get(user_id)
        if user is None:
            raise SlackError("user_not_found")
        home = self.teams.get(user.team_id)
        org = home.enterprise_id if home else None
        same_org = org is not None and org == team.enterprise_id
        if user.team_id != team.id and not same_org:
            if team.id not in user.shared_with:
                raise SlackError("user_not_found")
            return {**user.to_api(), "is_stranger": True}
        answer = user.to_api()
        if org is not None and home is not None:
            answer["enterprise_user"] = {
                "id": user.id,
                "enterprise_id": org,
                "enterprise_name": home.enterprise_name or org,
                "is_admin": user.is_admin,
                "is_owner": user.is_owner,
                "teams": [user.team_id],
            }
        return answer

    def _user(self, team: Team, user_id: str) -> User:
        user = self.users.get(user_id)
        if user is None or user.team_id != team.id:
            raise SlackError("user_not_found")
        return user

    def _open_dm(self, team: Team, user: User) -> Channel:
        channel_id = "D" + user.id
        if channel_id not in self.channels:
            self.channels[channel_id] = Channel(channel_id, team.id, user.name, im_user=user.id)
        return self.channels[channel_id]

    def _new_message(self, team: Team, channel: Channel, args: dict[str, Any]) -> Message:
        blocks = args.get("blocks")
        check_message_blocks(blocks)
        if not args.get("text") and not blocks and not args.get("attachments"):
            raise SlackError("no_text")
        return Message(
            ts=self._next_ts(),
            channel=channel.id,
            user=team.bot_user_id,
            text=args.get("text") or "",
            blocks=fill_ids(blocks),
            thread_ts=args.get("thread_ts") or None,
            team_id=team.id,
            bot_id=team.bot_id,
        )

    def _view_payload(
        self, team: Team, sent: Any, *, view_id: str, root_view_id: str, previous: str | None
    ) -> dict[str, Any]:
        if not isinstance(sent, dict) or sent.get("type") not in ("modal", "home"):
            raise SlackError("invalid_arguments")
        problems = view_problems(sent)
        if problems:
            raise SlackError("invalid_arguments", response_metadata={"messages": problems})
        payload: dict[str, Any] = {
            "private_metadata": "",
            "callback_id": "",
            "external_id": "",
            "state": {"values": {}},
            "title": None,
            "close": None,
            "submit": None,
            "clear_on_close": False,
            "notify_on_close": False,
        }
        payload.update(sent)
        payload.update(
            blocks=fill_ids(sent.get("blocks")),
            id=view_id,
            team_id=team.id,
            app_installed_team_id=team.id,
            bot_id=team.bot_id,
            root_view_id=root_view_id,
            previous_view_id=previous,
            hash=f"{int(time.time())}.{secrets.token_hex(4)}",
        )
        return payload

    def _replace_view(self, view: View, sent: dict[str, Any]) -> None:
        team = self.teams.get(view.team_id) or Team(view.team_id, "", "", "", "", "")
        view.view = self._view_payload(
            team,
            sent,
            view_id=view.id,
            root_view_id=view.root_view_id,
            previous=view.previous_view_id,
        )

    def _push_view(self, under: View, sent: dict[str, Any]) -> View:
        depth = sum(
            1 for v in self.views.values() if v.root_view_id == under.root_view_id and not v.closed
        )
        if depth >= _MAX_STACK:
            raise SlackError("push_limit_reached")
        team = self.teams.get(under.team_id) or Team(under.team_id, "", "", "", "", "")
        view_id = self._new_id("V")
        payload = self._view_payload(
            team, sent, view_id=view_id, root_view_id=under.root_view_id, previous=under.id
        )
        view = View(
            view_id, under.team_id, under.user_id, payload, "modal", under.root_view_id, under.id
        )
        self.views[view_id] = view
        return view

    def _use_trigger(self, call: Call) -> _Trigger:
        call.require("trigger_id")
        trigger_id = str(call.args["trigger_id"])
        if trigger_id in self._used_triggers:
            raise SlackError("invalid_trigger_id")
        trigger = self._triggers.get(trigger_id)
        if trigger is None:
            # Not issued by this fake (a test wrote its own): usable once, user unknown.
            trigger = _Trigger(None, call.team.id, self.clock())
        elif self.trigger_ttl is not None and self.clock() - trigger.issued_at > self.trigger_ttl:
            raise SlackError("expired_trigger_id")
        self._used_triggers.add(trigger_id)
        return trigger

    def _find_view(self, call: Call) -> View:
        view_id, external_id = call.args.get("view_id"), call.args.get("external_id")
        if not view_id and not external_id:
            call.require("view_id")
        for view in self.views.values():
            if view.team_id != call.team.id or view.closed:
                continue
            if (view_id and view.id == view_id) or (
                external_id and view.view.get("external_id") == external_id
            ):
                return view
        raise SlackError("not_found")


# ---------------------------------------------------------------------- request parsing


async def _read_args(request: web.Request) -> dict[str, Any]:
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


def _credentials(
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


def _peer_port(request: web.Request) -> int | None:
    peer = request.transport.get_extra_info("peername") if request.transport else None
    return peer[1] if isinstance(peer, tuple) and len(peer) > 1 else None


def _scope_set(scope: str) -> frozenset[str]:
    return frozenset(part.strip() for part in scope.split(",") if part.strip())


def _slug(name: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in name.lower()).strip("-")
