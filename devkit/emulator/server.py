"""The fake Slack's server: the Web API on a loopback port, response_urls, file uploads and
Socket Mode, around one public `SlackWorld` (`fake.world`).

slack_sdk's `AsyncWebClient(base_url=fake.api_url)` talks to it over real HTTP. The server
records every call in the world, checks tokens and scopes, plays the faults a test asks for
(errors, rate limits, server errors, dropped connections, slow or held answers), and hands the
call to the handler of its method (`handlers/`, one module per API family). For short test code it
also answers for the world: `fake.messages` is `fake.world.messages`, `fake.add_user(…)` is
`fake.world.add_user(…)`.

Tokens never reach a log: aiohttp's access log is off and nothing in this module logs a
request.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import BodyPartReader, web

from devkit.emulator.api import APP_TOKEN, NO_TOKEN, Call, SlackError, needed_scope
from devkit.emulator.downloads import serve_download
from devkit.emulator.gates import Gate
from devkit.emulator.handlers import HANDLERS
from devkit.emulator.handlers.users import user_info
from devkit.emulator.handlers.views import apply_submission_ack
from devkit.emulator.reading import credentials, peer_port, read_args
from devkit.emulator.records import ApiCall, ResponseUrlPost, Team
from devkit.emulator.response_urls import post_to
from devkit.emulator.socket_mode import SocketConnection
from devkit.emulator.tiers import RateTiers
from devkit.emulator.world import SlackWorld

__all__ = ["FakeSlack", "SlackError"]

# How long a views.update waits for the view_submission in flight for its view (see
# FakeSlack.hold_view_updates): past Slack's 3 s ack deadline the submission has failed anyway.
_SUBMISSION_HOLD = 5.0
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


def _world_attribute(name: str) -> Any:
    """`fake.<name>` reads (and sets) `fake.world.<name>`."""
    return property(
        lambda self: getattr(self.world, name),
        lambda self, value: setattr(self.world, name, value),
        doc=f"fake.world.{name}",
    )


class FakeSlack:
    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.world = SlackWorld(clock=clock)
        # Open Socket Mode connections, newest last.
        self.socket_connections: list[SocketConnection] = []
        self._faults: list[_Fault] = []
        self._drops: dict[str, int] = {}  # method → calls left to drop after doing them
        self._delays: dict[str, float] = {}  # method → seconds Slack takes to answer it
        self._gates: dict[str, Gate] = {}  # method → where its calls wait (hold)
        # Slack's per-workspace tiers (views.publish: 100 a minute), on the world's clock.
        self.tiers = RateTiers(lambda: self.world.clock())
        # View id → set once the view_submission in flight for it has been answered.
        self._submissions: dict[str, asyncio.Event] = {}
        # response_url id → set by each post to it (`wait_responses`).
        self._response_arrived: dict[str, asyncio.Event] = {}
        self.world.on_response = self._wake_response_waiters
        self._runner: web.AppRunner | None = None
        self._root_url: str | None = None

    # The world, read and changed through the server (see the module's docstring).
    clock = _world_attribute("clock")
    teams = _world_attribute("teams")
    users = _world_attribute("users")
    channels = _world_attribute("channels")
    usergroups = _world_attribute("usergroups")
    calls = _world_attribute("calls")
    messages = _world_attribute("messages")
    responses = _world_attribute("responses")
    responses_to = _world_attribute("responses_to")
    refused_responses = _world_attribute("refused_responses")
    views = _world_attribute("views")
    files = _world_attribute("files")
    trigger_ttl = _world_attribute("trigger_ttl")
    response_url_ttl = _world_attribute("response_url_ttl")
    add_team = _world_attribute("add_team")
    add_user = _world_attribute("add_user")
    add_channel = _world_attribute("add_channel")
    add_usergroup = _world_attribute("add_usergroup")
    add_oauth_code = _world_attribute("add_oauth_code")
    add_app_token = _world_attribute("add_app_token")
    open_dm = _world_attribute("open_dm")
    revoke = _world_attribute("revoke")
    expire = _world_attribute("expire")
    team_of = _world_attribute("team_of")
    display_name = _world_attribute("display_name")
    calls_to = _world_attribute("calls_to")
    new_response_url = _world_attribute("new_response_url")
    issued_response_urls = _world_attribute("issued_response_urls")
    new_trigger_id = _world_attribute("new_trigger_id")
    open_modals = _world_attribute("open_modals")
    home_view = _world_attribute("home_view")
    find_message = _world_attribute("find_message")
    user_upload = _world_attribute("user_upload")

    def user_info(self, team: Team, user_id: str) -> dict[str, Any]:
        """users.info's `user` as `team`'s token sees it (handlers/users.py)."""
        return user_info(self.world, team, user_id)

    # ------------------------------------------------------------------ server

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        if self._runner is not None:
            raise RuntimeError("FakeSlack already started")
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._handle_api)
        app.router.add_post("/response/{id}", self._handle_response_url)
        app.router.add_post("/upload/{file_id}", self._handle_upload)
        app.router.add_get("/socket/{ticket}", self._handle_socket)
        app.router.add_get("/files-pri/{file_ref}/download/{name}", self._handle_download)
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
        self.world.root_url = self._root_url

    async def stop(self) -> None:
        for gate in self._gates.values():
            gate.release()
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

    def tier(self, method: str, per_minute: int | None) -> None:
        """Limit `method` to `per_minute` calls per workspace in any minute of the world's
        clock, answering 429 + Retry-After past it, as Slack does (None: no limit)."""
        self.tiers.set(method, per_minute)

    def busiest_minute(self, method: str, team_id: str) -> int:
        """The most calls of `method` by `team_id` the tier let through within any minute."""
        return self.tiers.busiest_minute(method, team_id)

    def slow(self, method: str, seconds: float) -> None:
        """Answer every later call of `method` only after `seconds` (0 ends it): Slack's
        lookups can be slow, and a trigger_id does not wait."""
        if seconds > 0:
            self._delays[method] = seconds
        else:
            self._delays.pop(method, None)

    def hold(self, method: str) -> Gate:
        """Keep every later call of `method` unanswered until `gate.release()`: recorded in
        `calls` at once, answered (as usual) only then. `await gate.held()` waits until a call
        is there. Stopping the fake releases every gate, so a failed test does not hang."""
        gate = self._gates[method] = Gate(method)
        return gate

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

    async def wait_responses(
        self,
        url_id: str,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - a deadline, as wait_for's
    ) -> list[ResponseUrlPost]:
        """The posts to response_url `url_id` once there are `count`, woken by each post to
        it. (`wait_for` polls every 10 ms: 2,000 deliveries waiting so, each reading every
        post, kept the emulator too busy to take the posts when they came, `bench ack`.)"""
        deadline = time.monotonic() + timeout
        arrived = self._response_arrived.setdefault(url_id, asyncio.Event())
        while len(posts := self.world.responses_to.get(url_id, [])) < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(
                    f"response_url post #{count} still not there after {timeout}s; "
                    f"{len(posts)} to it, {len(self.responses)} response_url post(s) in all"
                )
            arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(arrived.wait(), remaining)
        return posts

    def _wake_response_waiters(self, url_id: str) -> None:
        arrived = self._response_arrived.get(url_id)
        if arrived is not None:
            arrived.set()

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
            apply_submission_ack(self.world, view_id, ack)
        finally:
            self.release_view_updates(view_id)

    # ------------------------------------------------------------------ HTTP

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        try:
            args = await read_args(request)
            unreadable = False
        except ValueError:
            args, unreadable = {}, True
        token, client_id, client_secret = credentials(request, args)
        record = ApiCall(
            method=method,
            token=token,
            args=args,
            team_id=self.world.tokens.get(token) if token else None,
            at=time.time(),
            client_id=client_id,
            client_secret=client_secret,
            connection=peer_port(request),
        )
        self.world.calls.append(record)
        if method == "views.update" and not unreadable:
            await self._wait_for_submission(args, record.team_id)
        if method in self._gates:
            await self._gates[method].pass_through(record)
        if method in self._delays:
            await asyncio.sleep(self._delays[method])
        if unreadable:
            status, headers, body = 200, {}, {"ok": False, "error": "invalid_form_data"}
        else:
            # The placeholder team is replaced once the token is checked.
            call = Call(args, token, _NO_TEAM, client_id, client_secret)
            status, headers, body = self._answer(method, call)
        record.error = None if body.get("ok") else body.get("error")
        if body.get("ok"):
            record.message_at = _message_at(args, body)
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
            retry_after = self.tiers.admit(method, call.team.id)
            if retry_after is not None:
                return 429, {"Retry-After": str(retry_after)}, {"ok": False, "error": "ratelimited"}
            return 200, {}, {"ok": True, **handler(self.world, call)}
        except SlackError as refusal:
            return 200, {}, {"ok": False, "error": refusal.error, **refusal.extra}

    def _check_scope(self, method: str, call: Call) -> None:
        granted = call.team.scopes
        needed = needed_scope(self.world, method, call)
        if granted is not None and needed is not None and needed not in granted:
            raise SlackError("missing_scope", needed=needed, provided=",".join(sorted(granted)))

    def _authenticate(self, method: str, token: str | None) -> Team:
        if method in NO_TOKEN:
            return _NO_TEAM
        if not token:
            raise SlackError("not_authed")
        if token in self.world.dead_tokens:
            raise SlackError(self.world.dead_tokens[token])
        if method in APP_TOKEN or token in self.world.app_tokens:
            # App-level tokens open Socket Mode connections, and nothing else does.
            if token not in self.world.app_tokens and token not in self.world.tokens:
                raise SlackError("invalid_auth")
            if (method in APP_TOKEN) != (token in self.world.app_tokens):
                raise SlackError("not_allowed_token_type")
            return _NO_TEAM
        team_id = self.world.tokens.get(token)
        if team_id is None:
            raise SlackError("invalid_auth")
        return self.teams[team_id]

    async def _handle_response_url(self, request: web.Request) -> web.Response:
        url_id = request.match_info["id"]
        target = self.world.response_urls.get(url_id)
        if target is None:
            return web.Response(status=404, text="no_such_url")
        try:
            body = json.loads(await request.read() or b"null")
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return web.Response(status=400, text="invalid_payload")
        peer = request.transport.get_extra_info("peername") if request.transport else None
        post = ResponseUrlPost(
            url_id, body, time.time(), str(request.url), connection=str(peer or "")
        )
        status, text = post_to(self.world, target, post)
        return web.Response(status=status, text=text)

    async def _handle_socket(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(timeout=_SHUTDOWN_TIMEOUT)
        if not ws.can_prepare(request).ok:
            return web.Response(status=400, text="not_a_websocket")
        ticket = request.match_info["ticket"]
        app_id = self.world.socket_tickets.pop(ticket, None)  # a URL is good for one connection
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

    async def _handle_download(self, request: web.Request) -> web.Response:
        return await serve_download(self.world, request)

    async def _handle_upload(self, request: web.Request) -> web.Response:
        upload = self.world.uploads.get(request.match_info["file_id"])
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


def _message_at(args: dict[str, Any], answer: dict[str, Any]) -> tuple[str, str] | None:
    """Which message a chat call made or changed (an ephemeral one's answer names no channel:
    the one it was posted in)."""
    ts = answer.get("ts") or answer.get("message_ts")
    channel = answer.get("channel") or args.get("channel")
    return (str(channel), str(ts)) if ts and channel else None
