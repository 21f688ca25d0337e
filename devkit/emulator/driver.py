"""Sends an app the requests Slack sends: signed HTTP POSTs of slash commands, interactions and
events to its request URL, with the payload shapes Slack uses; or, with transport="socket", the
same payloads as envelopes over the app's newest Socket Mode connection to FakeSlack."""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlencode

import aiohttp
from slack_sdk.signature import SignatureVerifier

from devkit.emulator.blocks import find_element, initial_value, state_value
from devkit.emulator.escaping import escape_like_slack, should_escape
from devkit.emulator.handlers.files import file_object
from devkit.emulator.records import Envelope, Message, ResponseUrlPost, View
from devkit.emulator.server import FakeSlack
from devkit.emulator.socket_mode import ACK_TIMEOUT

__all__ = ["VERIFICATION_TOKEN", "Delivery", "SlackDriver"]

# The deprecated verification token Slack still puts in payloads; Bolt ignores it.
VERIFICATION_TOKEN = "emulator-verification-token"  # noqa: S105 - a fixed, public value


@dataclass
class Delivery:
    # The app's HTTP status; 504 when Slack gave up waiting (the app answered, or acked over
    # Socket Mode, after the 3 s deadline or not at all): `late` is then set.
    status: int
    # The app's HTTP answer (the ack body; often ""); over Socket Mode the ack's payload as JSON.
    body: str
    json: Any | None  # body parsed, when it is JSON
    response_url: str | None  # the response_url given to the app
    trigger_id: str | None
    # What was sent: the form fields (commands), the payload (interactions) or the envelope.
    sent: dict[str, Any] = field(default_factory=dict)
    # Seconds the app took to answer: Slack gives up after 3.
    elapsed: float = 0.0
    fake: FakeSlack | None = field(default=None, repr=False)
    # The Socket Mode envelope sent (None over HTTP).
    envelope: Envelope | None = field(default=None, repr=False)
    # Slack had stopped waiting when the app answered: for the user the request failed (Slack
    # shows "operation_timeout"), and whatever the answer carried is ignored.
    late: bool = False
    # What the app answered over HTTP, even late (status is 504 then).
    app_status: int | None = None

    @property
    def _url_id(self) -> str:
        """The response_url's id, as the emulator files its posts."""
        assert self.response_url is not None
        return self.response_url.rsplit("/", 1)[-1]

    def refused(self) -> list[ResponseUrlPost]:
        """Posts to this delivery's response_url that Slack refused (with their `error`)."""
        if self.response_url is None or self.fake is None:
            return []
        return [post for post in self.fake.refused_responses if post.id == self._url_id]

    def responses(self) -> list[ResponseUrlPost]:
        """Posts the app made to this delivery's response_url so far."""
        if self.response_url is None or self.fake is None:
            return []
        return list(self.fake.responses_to.get(self._url_id, []))

    async def wait_response(
        self,
        timeout: float = 5.0,  # noqa: ASYNC109 - a polling deadline, part of the API
        count: int = 1,
    ) -> ResponseUrlPost:
        """Wait for the `count`-th post to the response_url and return it."""
        if self.response_url is None or self.fake is None:
            raise AssertionError("this delivery carried no response_url")
        posts = await self.fake.wait_responses(self._url_id, count, timeout)
        return posts[count - 1]


class SlackDriver:
    def __init__(
        self,
        fake: FakeSlack,
        *,
        app_url: str,
        signing_secret: str,
        api_app_id: str = "AAPP",
        transport: Literal["http", "socket"] = "http",
        ack_timeout: float = ACK_TIMEOUT,
        max_connections: int = 100,
    ) -> None:
        """Over "socket", app_url and signing_secret are unused (Socket Mode has no signatures).
        Either way Slack waits `ack_timeout` seconds for the app's ack: an answer later than
        that is a failed delivery (status 504, `late`), also kept in `late_deliveries`.
        `max_connections`: requests in flight at once (aiohttp's default, 100; 0 = no limit,
        as Slack, which opens as many as it has requests to send)."""
        if transport not in ("http", "socket"):
            raise ValueError(f"unknown transport {transport!r}")
        self.fake = fake
        self.app_url = app_url
        self.api_app_id = api_app_id
        self.transport = transport
        self.ack_timeout = ack_timeout
        # Socket Mode has no signatures (and SignatureVerifier refuses an empty secret).
        self._verifier = SignatureVerifier(signing_secret) if transport == "http" else None
        self._session: aiohttp.ClientSession | None = None
        self._max_connections = max_connections
        # Deliveries the app did not ack in time: a harness can fail a test on any of them.
        self.late_deliveries: list[Delivery] = []

    async def close(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    async def __aenter__(self) -> SlackDriver:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    # ------------------------------------------------------------------ requests

    async def command(
        self,
        text: str,
        *,
        team_id: str,
        user_id: str,
        channel_id: str = "C0GENERAL",
        command: str = "/partner",
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
        trigger_id: str | None = None,
        signature: str | None = None,
        timestamp: int | None = None,
        signed: bool = True,
    ) -> Delivery:
        response_url = self.fake.new_response_url(
            team_id=team_id, channel_id=channel_id, user_id=user_id
        )
        trigger_id = trigger_id or self.fake.new_trigger_id(user_id=user_id, team_id=team_id)
        if should_escape(command):
            # What Slack does to the typed text when the manifest sets should_escape.
            text = escape_like_slack(
                text,
                users={u.name: u.id for u in self.fake.users.values() if u.team_id == team_id},
                channels={
                    c.name: c.id
                    for c in self.fake.channels.values()
                    if c.team_id == team_id and c.im_user is None
                },
                groups={
                    g.handle: g.id for g in self.fake.usergroups.values() if g.team_id == team_id
                },
            )
        fields = {
            "token": VERIFICATION_TOKEN,
            "team_id": team_id,
            "team_domain": self._domain(team_id),
            "channel_id": channel_id,
            "channel_name": self._channel_name(channel_id),
            "user_id": user_id,
            "user_name": self._user_name(user_id),
            "command": command,
            "text": text,
            "api_app_id": self.api_app_id,
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger_id,
        }
        # Slack adds these two fields for a workspace inside an Enterprise Grid org.
        enterprise = self._enterprise(team_id)
        if enterprise is not None:
            fields["enterprise_id"] = enterprise["id"]
            fields["enterprise_name"] = enterprise["name"]
        return await self._send(
            urlencode(fields),
            "application/x-www-form-urlencoded",
            sent=fields,
            envelope_type="slash_commands",
            response_url=response_url,
            trigger_id=trigger_id,
            retry=(retry_num, retry_reason),
            signature=signature,
            timestamp=timestamp,
            signed=signed,
        )

    async def click(
        self,
        *,
        team_id: str,
        user_id: str,
        action_id: str,
        value: str | None = None,
        block_id: str | None = None,
        message: Message | None = None,
        view: View | None = None,
        channel_id: str | None = None,
        response_url: str | None = None,
        retry_num: int | None = None,
        trigger_id: str | None = None,
        values: dict[str, dict[str, Any]] | None = None,
    ) -> Delivery:
        """A block_actions payload for a click on `action_id` in `message` or `view`. For a
        select or overflow, `value` is the chosen option's value. `values` fills the view's
        current input state, as with submit_view."""
        blocks = view.blocks if view is not None else (message.blocks if message else [])
        found = find_element(blocks, action_id, block_id)
        if found is None and (message is not None or view is not None) and block_id is None:
            raise LookupError(f"no element with action_id {action_id!r} in the given blocks")
        element = found[1] if found else {"type": "button", "action_id": action_id}
        if found is not None:
            block_id = found[0].get("block_id")
        trigger_id = trigger_id or self.fake.new_trigger_id(user_id=user_id, team_id=team_id)

        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": self._user(team_id, user_id),
            "api_app_id": self.api_app_id,
            "token": VERIFICATION_TOKEN,
            "trigger_id": trigger_id,
            "team": {"id": team_id, "domain": self._domain(team_id)},
            "enterprise": self._enterprise(team_id),
            "is_enterprise_install": False,
            "state": {"values": {}},
            "actions": [self._action(element, block_id, value)],
        }
        if view is not None:
            # Modal and Home tab actions: no channel, no message, no response_url.
            payload["container"] = {"type": "view", "view_id": view.id}
            payload["view"] = self._view_with_state(view, values or {})
            response_url = None
        else:
            channel_id = channel_id or (message.channel if message else "C0GENERAL")
            is_ephemeral = message is not None and message.ephemeral_to is not None
            message_ts = message.ts if message else self.fake.world.next_ts()
            payload["container"] = {
                "type": "message",
                "message_ts": message_ts,
                "channel_id": channel_id,
                "is_ephemeral": is_ephemeral,
            }
            payload["channel"] = {"id": channel_id, "name": self._channel_name(channel_id)}
            if message is not None and not is_ephemeral:
                # Slack does not send ephemeral messages back: apps only have the response_url.
                payload["message"] = message.to_payload()
            response_url = response_url or self.fake.new_response_url(
                team_id=team_id,
                channel_id=channel_id,
                user_id=user_id,
                message_ts=message.ts if message else None,
            )
            payload["response_url"] = response_url
        return await self._send_payload(
            payload, response_url=response_url, trigger_id=trigger_id, retry_num=retry_num
        )

    async def submit_view(
        self,
        view: View,
        *,
        team_id: str,
        user_id: str,
        values: dict[str, dict[str, Any]],
        retry_num: int | None = None,
        apply_ack: bool = True,
    ) -> Delivery:
        """A view_submission payload; afterwards the fake does what Slack does with the ack
        (closes the view, shows errors, updates or pushes). With apply_ack=False the caller
        applies it later (`fake.after_view_submission`), to play Slack applying it late."""
        trigger_id = self.fake.new_trigger_id(user_id=user_id, team_id=team_id)
        payload = {
            "type": "view_submission",
            "team": {"id": team_id, "domain": self._domain(team_id)},
            "user": self._user(team_id, user_id),
            "api_app_id": self.api_app_id,
            "token": VERIFICATION_TOKEN,
            "trigger_id": trigger_id,
            "view": self._view_with_state(view, values),
            "response_urls": [],
            "enterprise": self._enterprise(team_id),
            "is_enterprise_install": False,
        }
        if not apply_ack:
            # The caller plays Slack applying the ack late: nothing is held meanwhile.
            return await self._send_payload(
                payload, response_url=None, trigger_id=trigger_id, retry_num=retry_num
            )
        # The app's views.update calls for this view wait until the ack is applied, as on Slack.
        self.fake.hold_view_updates(view.id)
        try:
            delivery = await self._send_payload(
                payload, response_url=None, trigger_id=trigger_id, retry_num=retry_num
            )
            if delivery.status == 200:
                self.fake.after_view_submission(view.id, delivery.json)
        finally:
            self.fake.release_view_updates(view.id)
        return delivery

    async def close_view(self, view: View, *, team_id: str, user_id: str) -> Delivery:
        """The user closed the modal: Slack closes it, and tells the app only when the view
        asked with notify_on_close."""
        view.closed = True
        payload = {
            "type": "view_closed",
            "team": {"id": team_id, "domain": self._domain(team_id)},
            "user": self._user(team_id, user_id),
            "api_app_id": self.api_app_id,
            "token": VERIFICATION_TOKEN,
            "view": view.view,
            "is_cleared": False,
            "enterprise": self._enterprise(team_id),
            "is_enterprise_install": False,
        }
        return await self._send_payload(payload, response_url=None, trigger_id=None)

    async def event(
        self,
        event: dict[str, Any],
        *,
        team_id: str,
        event_id: str | None = None,
        retry_num: int | None = None,
        authorizations: list[dict[str, Any]] | None = None,
    ) -> Delivery:
        now = time.time()
        team = self.fake.teams.get(team_id)
        enterprise_id = team.enterprise_id if team else None
        if authorizations is None:
            authorizations = [
                {
                    "enterprise_id": enterprise_id,
                    "team_id": team_id,
                    "user_id": team.bot_user_id if team else "UBOT",
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ]
        envelope = {
            "token": VERIFICATION_TOKEN,
            "team_id": team_id,
            "context_team_id": team_id,
            "context_enterprise_id": enterprise_id,
            "api_app_id": self.api_app_id,
            "event": {"event_ts": f"{now:.6f}", **event},
            "type": "event_callback",
            "event_id": event_id or "Ev" + secrets.token_hex(5).upper(),
            "event_time": int(now),
            "authorizations": authorizations,
            "is_ext_shared_channel": False,
            "event_context": "4-" + secrets.token_urlsafe(24),
        }
        if enterprise_id is not None:
            envelope["enterprise_id"] = enterprise_id
        return await self._send(
            json.dumps(envelope),
            "application/json",
            sent=envelope,
            envelope_type="events_api",
            retry=(retry_num, "http_timeout"),
        )

    async def url_verification(self, challenge: str) -> Delivery:
        body = {"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}
        return await self._send(json.dumps(body), "application/json", sent=body)

    async def post_raw(self, body: bytes, headers: dict[str, str]) -> Delivery:
        """POST exactly `body` with exactly `headers`: for bad signatures and odd requests."""
        self._require_http("post_raw")
        return await self._post(body, headers, sent={})

    def sign(self, body: str, timestamp: int) -> dict[str, str]:
        self._require_http("signed requests")
        assert self._verifier is not None
        signature = self._verifier.generate_signature(timestamp=str(timestamp), body=body)
        assert signature is not None
        return {"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": signature}

    # ------------------------------------------------------------------ plumbing

    async def _send_payload(
        self,
        payload: dict[str, Any],
        *,
        response_url: str | None,
        trigger_id: str | None,
        retry_num: int | None = None,
    ) -> Delivery:
        # Interactions come as a form with one field holding the JSON payload.
        return await self._send(
            urlencode({"payload": json.dumps(payload)}),
            "application/x-www-form-urlencoded",
            sent=payload,
            envelope_type="interactive",
            response_url=response_url,
            trigger_id=trigger_id,
            retry=(retry_num, "http_timeout"),
        )

    async def _send(
        self,
        body: str,
        content_type: str,
        *,
        sent: dict[str, Any],
        envelope_type: str | None = None,
        response_url: str | None = None,
        trigger_id: str | None = None,
        retry: tuple[int | None, str] = (None, ""),
        signature: str | None = None,
        timestamp: int | None = None,
        signed: bool = True,
    ) -> Delivery:
        if retry[0] is not None and envelope_type != "events_api":
            # Slack retries Events API deliveries only: a slash command or an interaction that
            # is not acknowledged in 3 s shows the user an error and is never sent again.
            raise ValueError("Slack redelivers Events API deliveries only, never this request")
        if self.transport == "socket":
            if envelope_type is None:
                raise ValueError("Slack sends this request over HTTP only, not over Socket Mode")
            return await self._send_envelope(
                envelope_type, sent, response_url=response_url, trigger_id=trigger_id, retry=retry
            )
        headers = {"Content-Type": content_type}
        if signed:
            headers.update(
                self.sign(body, timestamp if timestamp is not None else int(time.time()))
            )
        if signature is not None:
            headers["X-Slack-Signature"] = signature
        retry_num, retry_reason = retry
        if retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = retry_reason
        return await self._post(
            body.encode(), headers, sent=sent, response_url=response_url, trigger_id=trigger_id
        )

    async def _post(
        self,
        body: bytes,
        headers: dict[str, str],
        *,
        sent: dict[str, Any],
        response_url: str | None = None,
        trigger_id: str | None = None,
    ) -> Delivery:
        if self._session is None:
            # Created here, not in __init__: a session belongs to a running event loop.
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._max_connections),
                timeout=aiohttp.ClientTimeout(total=30),
            )
        started = time.monotonic()
        async with self._session.post(self.app_url, data=body, headers=headers) as answer:
            text = await answer.text()
            status = answer.status
        try:
            parsed = json.loads(text) if text else None
        except ValueError:
            parsed = None
        elapsed = time.monotonic() - started
        late = elapsed > self.ack_timeout
        return self._record(
            Delivery(
                status=504 if late else status,
                body=text,
                json=parsed,
                response_url=response_url,
                trigger_id=trigger_id,
                sent=sent,
                elapsed=elapsed,
                fake=self.fake,
                late=late,
                app_status=status,
            )
        )

    def _record(self, delivery: Delivery) -> Delivery:
        if delivery.late:
            self.late_deliveries.append(delivery)
        return delivery

    async def _send_envelope(
        self,
        envelope_type: str,
        payload: dict[str, Any],
        *,
        response_url: str | None,
        trigger_id: str | None,
        retry: tuple[int | None, str],
    ) -> Delivery:
        if not self.fake.socket_connections:
            raise ConnectionError("no app is connected to FakeSlack over Socket Mode")
        retry_num, retry_reason = retry
        started = time.monotonic()
        envelope = await self.fake.socket_connections[-1].send(
            envelope_type,
            payload,
            retry_attempt=retry_num or 0,
            retry_reason="" if retry_num is None else retry_reason,
            timeout=self.ack_timeout,
        )
        answer = envelope.ack_payload
        return self._record(
            Delivery(
                status=200 if envelope.acked else 504,
                body="" if answer is None else json.dumps(answer),
                json=answer,
                response_url=response_url,
                trigger_id=trigger_id,
                sent=payload,
                elapsed=time.monotonic() - started,
                fake=self.fake,
                envelope=envelope,
                late=not envelope.acked,
            )
        )

    def _require_http(self, what: str) -> None:
        if self.transport != "http":
            raise ValueError(f"Slack sends {what} over HTTP only, not over Socket Mode")

    def _view_with_state(self, view: View, values: dict[str, dict[str, Any]]) -> dict[str, Any]:
        """The view with `state.values` as Slack sends it: every input, untouched ones with
        their initial value (or none), so apps may index any input of the view."""
        state: dict[str, dict[str, Any]] = {}
        for block in view.blocks:
            element = block.get("element")
            if block.get("type") == "input" and isinstance(element, dict):
                state.setdefault(block["block_id"], {})[element["action_id"]] = state_value(
                    element, initial_value(element)
                )
        for block_id, actions in values.items():
            for action_id, value in actions.items():
                found = find_element(view.blocks, action_id, block_id)
                if found is None:
                    raise LookupError(f"no element {block_id}.{action_id} in view {view.id}")
                if found[1].get("type") == "file_input":
                    value = [self._file_object(file_id) for file_id in value or []]
                state.setdefault(block_id, {})[action_id] = state_value(found[1], value)
        return {**view.view, "state": {"values": state}}

    def _file_object(self, file_id: str) -> dict[str, Any]:
        """A file_input's value: the file a person uploaded (`fake.user_upload`), as Slack
        describes it in the view's state."""
        file = next((f for f in self.fake.files if f.id == file_id), None)
        if file is None:
            raise LookupError(f"no file {file_id}: upload it with fake.user_upload first")
        return file_object(self.fake.world, file)

    @staticmethod
    def _action(element: dict[str, Any], block_id: str | None, value: str | None) -> dict[str, Any]:
        kind = element.get("type", "button")
        action: dict[str, Any] = {
            "type": kind,
            "action_id": element.get("action_id"),
            "block_id": block_id,
            "action_ts": f"{time.time():.6f}",
        }
        if kind == "button":
            action["text"] = element.get("text") or {"type": "plain_text", "text": ""}
            chosen = value if value is not None else element.get("value")
            if chosen is not None:
                action["value"] = chosen
            if element.get("style"):
                action["style"] = element["style"]
        else:
            # Selects, overflows, pickers: the same shape as in view state.
            action.update(state_value(element, value))
        return action

    def _enterprise(self, team_id: str) -> dict[str, str] | None:
        """The org of a workspace inside Enterprise Grid, as payloads carry it; else None."""
        team = self.fake.teams.get(team_id)
        return team.enterprise if team else None

    def _domain(self, team_id: str) -> str:
        team = self.fake.teams.get(team_id)
        return team.domain if team else team_id.lower()

    def _user_name(self, user_id: str) -> str:
        return self.fake.display_name(user_id) or user_id

    def _user(self, team_id: str, user_id: str) -> dict[str, str]:
        name = self._user_name(user_id)
        # The user's own workspace: in a Slack Connect shared channel not the payload's team.
        known = self.fake.users.get(user_id)
        own_team = known.team_id if known is not None else team_id
        return {"id": user_id, "username": name, "name": name, "team_id": own_team}

    def _channel_name(self, channel_id: str) -> str:
        channel = self.fake.channels.get(channel_id)
        if channel_id.startswith("D") and (channel is None or channel.im_user):
            return "directmessage"
        return channel.name if channel else channel_id
