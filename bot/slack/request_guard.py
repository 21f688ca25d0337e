"""What a delivery from Slack says, read once at the door, and whether it has a shape Slack
sends — before Bolt, its middleware or a listener reads it.

Two things Bolt gets wrong, which is why the door reads the body itself:

- `slack_bolt.request.internals.parse_body` takes any form body containing the substring
  `payload` for an interaction, so `/partner help payload` — or any command from a workspace,
  channel or user whose name contains the word — became an empty body and a 404. Slack sends
  an interaction as a form whose only field is `payload`; anything else is plain fields.
- Bolt and its middleware index what they expect (`body["actions"][0]`, `"id" in team`,
  `body["view"]["callback_id"]`): a body of another shape answers a 500 with a traceback, or
  gets into a listener and fails there. `check_shape` holds every delivery to the shapes Slack
  sends, for the fields Bolt, the middleware and the listeners read.

A delivery refused here is answered before anything runs, so nothing is ever half-made.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

# Slack's numbers are small (timestamps, counts); a bigger one is not from Slack, and a number
# of thousands of digits costs seconds to read.
LARGEST_NUMBER = 2**53 - 1
_LONGEST_NUMBER = len(str(LARGEST_NUMBER)) + 1  # a sign


class Malformed(ValueError):
    """A delivery Slack would never send; `reason` says why, without quoting it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def read_delivery(raw: str, content_type: str | None) -> dict[str, Any]:
    """The delivery as Slack means it: an event's JSON, an interaction's `payload`, or a
    command's form fields; checked by `check_shape`. Raises Malformed."""
    body = parse_body(raw, content_type)
    check_shape(body)
    return body


def parse_body(raw: str, content_type: str | None) -> dict[str, Any]:
    if not raw:
        raise Malformed("empty body")
    if content_type == "application/json" or raw.startswith("{"):
        parsed = load_json(raw, "body")
    else:
        fields = parse_qsl(raw, keep_blank_values=True)
        if {name for name, _ in fields} != {"payload"}:
            # A command (or Slack's ssl_check): plain fields, whatever their text says.
            names = [name for name, _ in fields]
            if len(set(names)) != len(names):
                raise Malformed("a form field given twice")
            return dict(fields)
        if len(fields) != 1:
            raise Malformed("payload given twice")
        parsed = load_json(fields[0][1], "payload")
    if not isinstance(parsed, dict):
        raise Malformed("JSON that is not an object")
    return parsed


def load_json(text: str, what: str) -> Any:
    try:
        return json.loads(text, parse_int=_number, parse_constant=_not_a_number)
    except Malformed:
        raise
    except (ValueError, RecursionError):
        raise Malformed(f"{what} is not valid JSON") from None


def _number(text: str) -> int:
    if len(text) > _LONGEST_NUMBER or abs(value := int(text)) > LARGEST_NUMBER:
        raise Malformed("a number too large")
    return value


def _not_a_number(_name: str) -> Any:
    raise Malformed("NaN or Infinity")


def check_numbers(parsed: Any) -> None:
    """What `load_json` refuses, in JSON someone else parsed (Socket Mode's envelopes)."""
    pending = [parsed]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
        elif isinstance(value, float) and not math.isfinite(value):
            raise Malformed("NaN or Infinity")
        elif isinstance(value, int) and abs(value) > LARGEST_NUMBER:
            raise Malformed("a number too large")


# --- shapes ---------------------------------------------------------------------------------

COMMAND_FIELDS = ("command", "text", "team_id", "user_id", "channel_id", "response_url")


def check_shape(body: dict[str, Any]) -> None:
    """Raises Malformed when `body` is not shaped as Slack sends it."""
    if "command" in body:  # Bolt's own test for a slash command
        _command(body)
        return
    if body.get("ssl_check") == "1":  # Slack's SSL check: Bolt answers it
        return
    kind = body.get("type")
    if not isinstance(kind, str):
        raise Malformed("no type")
    check = _BY_TYPE.get(kind)
    if check is None:
        raise Malformed("a type this app takes no delivery of")
    check(body)


def _command(body: dict[str, Any]) -> None:
    # A form's fields are text; over Socket Mode the same fields come as a JSON object.
    if any(not isinstance(value, str) for value in body.values()):
        raise Malformed("a command field that is not text")
    missing = [name for name in COMMAND_FIELDS if name not in body]
    if missing:
        raise Malformed(f"a command without {', '.join(missing)}")
    if not body["command"].startswith("/"):
        raise Malformed("a command that does not start with /")


def _interaction(body: dict[str, Any]) -> None:
    # An interaction names them by objects with an id; team and enterprise may be null.
    _reference(body, "user", required=True, as_object=True)
    for name in ("team", "enterprise", "channel"):
        _reference(body, name, as_object=True)
    _optional(body, "trigger_id", "response_url", "api_app_id", "token", "callback_id")
    _typed(body, "is_enterprise_install", bool)
    for name in ("container", "message"):
        _typed(body, name, dict)
    if "state" in body:
        _state(body["state"], "state")
    urls = body.get("response_urls", [])
    if not isinstance(urls, list) or not all(
        isinstance(url, dict) and isinstance(url.get("response_url"), str) for url in urls
    ):
        raise Malformed("response_urls of the wrong shape")
    if "view" in body:
        _view(body["view"], submitted=False, shown_in=True)


def _block_actions(body: dict[str, Any]) -> None:
    _interaction(body)
    actions = body.get("actions")
    if not isinstance(actions, list) or not actions:
        raise Malformed("block_actions without actions")
    for action in actions:
        _action(action)


def _action(action: Any) -> None:
    if not isinstance(action, dict):
        raise Malformed("an action that is not an object")
    if not isinstance(action.get("action_id"), str) or not action["action_id"]:
        raise Malformed("an action without action_id")
    _required(action, "type")
    _optional(action, "block_id", "value", "action_ts", "selected_date", "selected_time")
    _optional(action, "selected_user", "selected_channel", "selected_conversation")
    if action["type"] == "button" and not isinstance(action.get("value"), str):
        raise Malformed("a button without a value")  # every button of this app carries one
    _typed(action, "selected_option", dict, nullable=True)
    _typed(action, "selected_options", list)


def _view_submission(body: dict[str, Any]) -> None:
    _interaction(body)
    _required(body, "trigger_id")
    _view(body.get("view"), submitted=True)


def _view_closed(body: dict[str, Any]) -> None:
    _interaction(body)
    _view(body.get("view"), submitted=False)


def _view(view: Any, *, submitted: bool, shown_in: bool = False) -> None:
    """A submitted or closed view is routed on (Bolt reads its callback_id); the view a
    click came from (`shown_in`) is only read where present."""
    if not isinstance(view, dict):
        raise Malformed("a view that is not an object")
    if shown_in:
        _optional(view, "id", "type", "callback_id")
    else:
        _required(view, "id", "type", "callback_id")
    _optional(view, "hash", "external_id", "root_view_id", "previous_view_id", "app_id")
    _optional(view, "team_id", "app_installed_team_id", "bot_id", "private_metadata")
    _typed(view, "blocks", list)
    metadata = view.get("private_metadata")
    # This app's views carry a JSON object there, or nothing.
    if metadata and not isinstance(load_json(metadata, "private_metadata"), dict):
        raise Malformed("private_metadata that is not a JSON object")
    if submitted or "state" in view:
        _state(view.get("state"), "view.state")


def _state(state: Any, where: str) -> None:
    values = state.get("values") if isinstance(state, dict) else None
    if not isinstance(values, dict) or not all(
        isinstance(block, dict) and all(isinstance(element, dict) for element in block.values())
        for block in values.values()
    ):
        raise Malformed(f"{where} of the wrong shape")


def _shortcut(body: dict[str, Any]) -> None:
    _interaction(body)
    _required(body, "callback_id", "trigger_id")


def _block_suggestion(body: dict[str, Any]) -> None:
    _interaction(body)
    _required(body, "action_id", "block_id", "value")


def _event_callback(body: dict[str, Any]) -> None:
    _required(body, "team_id", "event_id")
    _optional(body, "api_app_id", "enterprise_id", "context_team_id", "context_enterprise_id")
    _optional(body, "token")
    _typed(body, "is_ext_shared_channel", bool)
    authorizations = body.get("authorizations", [])
    if not isinstance(authorizations, list):
        raise Malformed("authorizations that are not a list")
    for authorization in authorizations:
        if not isinstance(authorization, dict):
            raise Malformed("an authorization that is not an object")
        _optional(authorization, "team_id", "user_id", "enterprise_id")
        _typed(authorization, "is_enterprise_install", bool)
    event = body.get("event")
    if not isinstance(event, dict):
        raise Malformed("an event that is not an object")
    _required(event, "type")
    for name in ("user", "channel"):
        _reference(event, name)
    _optional(event, "team", "user_team", "tab", "subtype", "channel_type", "event_ts")
    _optional(event, "thread_ts", "bot_id", "text")
    for name in ("message", "previous_message", "subteam", "tokens"):
        _typed(event, name, dict)


def _url_verification(body: dict[str, Any]) -> None:
    _required(body, "challenge")


def _other(_body: dict[str, Any]) -> None:
    """Deliveries Bolt answers itself or this app does not handle: it reads nothing in them."""


_BY_TYPE: dict[str, Callable[[dict[str, Any]], None]] = {
    "block_actions": _block_actions,
    "view_submission": _view_submission,
    "view_closed": _view_closed,
    "shortcut": _shortcut,
    "message_action": _shortcut,
    "block_suggestion": _block_suggestion,
    "event_callback": _event_callback,
    "url_verification": _url_verification,
    "app_rate_limited": _other,
}


# --- field rules ----------------------------------------------------------------------------


def _required(where: dict[str, Any], *names: str) -> None:
    for name in names:
        if not isinstance(where.get(name), str):
            raise Malformed(f"{name} missing or not text")


def _optional(where: dict[str, Any], *names: str) -> None:
    """Text when given; null is how Slack says "none"."""
    for name in names:
        value = where.get(name)
        if value is not None and not isinstance(value, str):
            raise Malformed(f"{name} that is not text")


def _typed(where: dict[str, Any], name: str, kind: type, *, nullable: bool = False) -> None:
    if name not in where or (nullable and where[name] is None):
        return
    if not isinstance(where[name], kind):
        raise Malformed(f"{name} of the wrong type")


def _reference(
    where: dict[str, Any], name: str, *, required: bool = False, as_object: bool = False
) -> None:
    """A user, team, channel…: an id, or an object with an id; null for none."""
    value = where.get(name)
    if value is None:
        if required:
            raise Malformed(f"no {name}")
        return
    if isinstance(value, dict):
        value = value.get("id")
    elif as_object:
        raise Malformed(f"{name} that is not an object")
    if not isinstance(value, str):
        raise Malformed(f"{name} of the wrong shape")
