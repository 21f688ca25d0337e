"""Deliveries Slack would never send, each next to the well-formed one it was made from: the
table the door is tested with, over HTTP and Socket Mode (and, shape by shape, in
tests/unit/test_request_guard.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from tests.slack.harness import CHANNEL, MEMBER, TEAM

HUGE = 10**40  # a 40-digit number


def block_actions(**changes: Any) -> dict[str, Any]:
    payload = {
        "type": "block_actions",
        "user": {"id": MEMBER, "username": "max", "name": "max", "team_id": TEAM},
        "api_app_id": "AAPP",
        "token": "emulator-verification-token",
        "trigger_id": "1.2.3",
        "team": {"id": TEAM, "domain": "test"},
        "enterprise": None,
        "is_enterprise_install": False,
        "container": {"type": "message", "message_ts": "1.000001", "channel_id": CHANNEL},
        "channel": {"id": CHANNEL, "name": "general"},
        "state": {"values": {}},
        "response_url": "https://hooks.slack.invalid/nowhere",
        "actions": [
            {
                "type": "button",
                "action_id": "request_approve",
                "block_id": "decide",
                "value": "1",
                "action_ts": "1.000002",
            }
        ],
    }
    return payload | changes


def view(**changes: Any) -> dict[str, Any]:
    shown = {
        "id": "V0FORM",
        "type": "modal",
        "callback_id": "request_reject_reason",
        "private_metadata": json.dumps({"request": 1}),
        "hash": "1.abc",
        "state": {"values": {"reason": {"reason": {"type": "plain_text_input", "value": "no"}}}},
    }
    return shown | changes


def view_submission(**changes: Any) -> dict[str, Any]:
    payload = {
        "type": "view_submission",
        "team": {"id": TEAM, "domain": "test"},
        "user": {"id": MEMBER, "team_id": TEAM},
        "api_app_id": "AAPP",
        "trigger_id": "1.2.4",
        "view": view(),
        "response_urls": [],
        "enterprise": None,
        "is_enterprise_install": False,
    }
    return payload | changes


def view_closed(**changes: Any) -> dict[str, Any]:
    payload = view_submission(type="view_closed", is_cleared=False) | changes
    payload.pop("trigger_id")
    return payload


def shortcut(**changes: Any) -> dict[str, Any]:
    payload = {
        "type": "shortcut",
        "team": {"id": TEAM, "domain": "test"},
        "user": {"id": MEMBER, "team_id": TEAM},
        "callback_id": "partner_shortcut",
        "trigger_id": "1.2.5",
    }
    return payload | changes


def event_callback(event: Any = ..., **changes: Any) -> dict[str, Any]:
    payload = {
        "token": "emulator-verification-token",
        "team_id": TEAM,
        "api_app_id": "AAPP",
        "event": {"type": "app_home_opened", "user": MEMBER, "channel": "D1", "tab": "home"}
        if event is ...
        else event,
        "type": "event_callback",
        "event_id": "Ev0MALFORMED",
        "event_time": 1_700_000_000,
        "authorizations": [{"team_id": TEAM, "user_id": "UBOT", "is_bot": True}],
        "is_ext_shared_channel": False,
    }
    return payload | changes


def command(**changes: Any) -> dict[str, Any]:
    fields = {
        "token": "emulator-verification-token",
        "team_id": TEAM,
        "team_domain": "test",
        "channel_id": CHANNEL,
        "channel_name": "general",
        "user_id": MEMBER,
        "user_name": "max",
        "command": "/partner",
        "text": "help",
        "api_app_id": "AAPP",
        "is_enterprise_install": "false",
        "response_url": "https://hooks.slack.invalid/nowhere",
        "trigger_id": "1.2.6",
    }
    return {k: v for k, v in (fields | changes).items() if v is not ...}


def without(payload: dict[str, Any], *names: str) -> dict[str, Any]:
    return {k: v for k, v in payload.items() if k not in names}


@dataclass(frozen=True)
class Bad:
    id: str
    envelope: str  # the Socket Mode envelope type: "interactive", "events_api", "slash_commands"
    payload: Any
    # An HTTP body Slack's HTTP door alone could carry (None: made from `payload`).
    raw: str | None = None

    def http(self) -> tuple[str, str]:
        """The body and content type of this delivery over HTTP."""
        if self.raw is not None:
            return self.raw, "application/x-www-form-urlencoded"
        if self.envelope == "interactive":
            return urlencode({"payload": json.dumps(self.payload)}), (
                "application/x-www-form-urlencoded"
            )
        if self.envelope == "slash_commands" and all(
            isinstance(v, str) for v in self.payload.values()
        ):
            return urlencode(self.payload), "application/x-www-form-urlencoded"
        return json.dumps(self.payload), "application/json"


ACTION = block_actions()["actions"][0]

BAD = [
    # block_actions
    Bad("actions-an-object", "interactive", block_actions(actions={})),
    Bad("actions-empty", "interactive", block_actions(actions=[])),
    Bad("actions-missing", "interactive", without(block_actions(), "actions")),
    Bad(
        "action-without-action_id",
        "interactive",
        block_actions(actions=[without(ACTION, "action_id")]),
    ),
    Bad("action-value-a-number", "interactive", block_actions(actions=[ACTION | {"value": 5}])),
    Bad("action-value-40-digits", "interactive", block_actions(actions=[ACTION | {"value": HUGE}])),
    Bad("action-a-string", "interactive", block_actions(actions=["request_approve"])),
    Bad("button-without-value", "interactive", block_actions(actions=[without(ACTION, "value")])),
    Bad("user-a-string", "interactive", block_actions(user=MEMBER)),
    Bad("user-missing", "interactive", without(block_actions(), "user")),
    Bad("team-a-number", "interactive", block_actions(team=5)),
    Bad("enterprise-a-list", "interactive", block_actions(enterprise=["E1"])),
    Bad("container-a-list", "interactive", block_actions(container=[])),
    Bad("state-values-a-list", "interactive", block_actions(state={"values": []})),
    # view_submission
    Bad("view-null", "interactive", view_submission(view=None)),
    Bad("view-without-state", "interactive", view_submission(view=without(view(), "state"))),
    Bad(
        "view-state-values-a-list", "interactive", view_submission(view=view(state={"values": []}))
    ),
    Bad(
        "state-block-not-an-object",
        "interactive",
        view_submission(view=view(state={"values": {"reason": "no"}})),
    ),
    Bad(
        "metadata-not-json",
        "interactive",
        view_submission(view=view(private_metadata="{request: 1")),
    ),
    Bad("metadata-a-json-list", "interactive", view_submission(view=view(private_metadata="[1]"))),
    Bad(
        "metadata-40-digits",
        "interactive",
        view_submission(view=view(private_metadata=json.dumps({"request": HUGE}))),
    ),
    Bad("callback_id-a-number", "interactive", view_submission(view=view(callback_id=7))),
    Bad("view-without-id", "interactive", view_submission(view=without(view(), "id"))),
    Bad("response_urls-an-object", "interactive", view_submission(response_urls={})),
    Bad("a-float-that-is-nan", "interactive", view_submission(view=view(hash=float("nan")))),
    # view_closed, shortcuts, suggestions
    Bad("view_closed-view-null", "interactive", view_closed(view=None)),
    Bad("view_closed-view-a-string", "interactive", view_closed(view="V0FORM")),
    Bad("shortcut-without-callback_id", "interactive", without(shortcut(), "callback_id")),
    Bad(
        "message_action-callback_id-a-number",
        "interactive",
        shortcut(type="message_action", callback_id=1),
    ),
    Bad(
        "block_suggestion-without-value",
        "interactive",
        shortcut(type="block_suggestion", action_id="a", block_id="b"),
    ),
    Bad("unknown-type", "interactive", block_actions(type="block_action")),
    Bad("no-type", "interactive", without(block_actions(), "type")),
    # event_callback
    Bad("event-null", "events_api", event_callback(event=None)),
    Bad("event-a-string", "events_api", event_callback(event="app_home_opened")),
    Bad("event-type-a-number", "events_api", event_callback(event={"type": 5, "user": MEMBER})),
    Bad("event-without-type", "events_api", event_callback(event={"user": MEMBER})),
    Bad(
        "event-user-a-number",
        "events_api",
        event_callback(event={"type": "app_home_opened", "user": 5}),
    ),
    Bad("authorizations-an-object", "events_api", event_callback(authorizations={})),
    Bad("event-without-team_id", "events_api", without(event_callback(), "team_id")),
    Bad("event_time-40-digits", "events_api", event_callback(event_time=HUGE)),
    # slash commands
    Bad("command-without-text", "slash_commands", command(text=...)),
    Bad("command-without-user_id", "slash_commands", command(user_id=...)),
    Bad("command-text-a-number", "slash_commands", command(text=12)),
    Bad("command-user_id-an-object", "slash_commands", command(user_id={"id": MEMBER})),
    Bad("command-not-a-slash", "slash_commands", command(command="partner")),
]

# Over HTTP only: what a form body or a JSON body can say that an envelope cannot.
BAD_HTTP_ONLY = [
    Bad("payload-twice", "interactive", None, raw="payload=%7B%7D&payload=%7B%7D"),
    Bad("payload-not-json", "interactive", None, raw=urlencode({"payload": "{request"})),
    Bad("command-field-twice", "slash_commands", None, raw=urlencode(command()) + "&text=again"),
]
