"""Block Kit helpers shared by the fake Web API, the driver and the renderer: where the
interactive elements are, and how Slack reports a chosen value in payloads."""

from __future__ import annotations

import copy
import secrets
from collections.abc import Iterator
from typing import Any

Block = dict[str, Any]
Element = dict[str, Any]


def iter_elements(blocks: list[Block] | None) -> Iterator[tuple[Block, Element]]:
    """Every interactive element with its block, in the order Slack shows them."""
    for block in blocks or []:
        kind = block.get("type")
        if kind == "actions":
            for element in block.get("elements") or []:
                yield block, element
        elif kind == "section" and isinstance(block.get("accessory"), dict):
            yield block, block["accessory"]
        elif kind == "input" and isinstance(block.get("element"), dict):
            yield block, block["element"]


def find_element(
    blocks: list[Block] | None, action_id: str, block_id: str | None = None
) -> tuple[Block, Element] | None:
    for block, element in iter_elements(blocks):
        if element.get("action_id") != action_id:
            continue
        if block_id is None or block.get("block_id") == block_id:
            return block, element
    return None


def fill_ids(blocks: list[Block] | None) -> list[Block]:
    """A copy of `blocks` where every block has a block_id and every interactive element an
    action_id, as Slack does when storing a message or a view: apps then see those ids in
    payloads, so the emulator must too."""
    filled = copy.deepcopy(blocks or [])
    for block in filled:
        if isinstance(block, dict) and not block.get("block_id"):
            block["block_id"] = secrets.token_urlsafe(3)
    for _, element in iter_elements(filled):
        if not element.get("action_id"):
            element["action_id"] = secrets.token_urlsafe(3)
    return filled


def all_options(element: Element) -> list[dict[str, Any]]:
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options.extend(group.get("options") or [])
    return options


def find_option(element: Element, value: str) -> dict[str, Any] | None:
    for option in all_options(element):
        if option.get("value") == value:
            return option
    return None


def _option(element: Element, value: Any) -> dict[str, Any]:
    option = find_option(element, str(value))
    if option is not None:
        return option
    if element.get("type", "").startswith(("external_select", "multi_external_select")):
        # External selects have no options in the view; Slack echoes what the user picked.
        return {"text": {"type": "plain_text", "text": str(value)}, "value": str(value)}
    known = [option.get("value") for option in all_options(element)]
    raise LookupError(f"no option {value!r} in {element.get('action_id')!r} (options: {known})")


# Element type → the key Slack puts the chosen value under, for the simple cases.
_SELECTED_KEY = {
    "users_select": "selected_user",
    "multi_users_select": "selected_users",
    "conversations_select": "selected_conversation",
    "multi_conversations_select": "selected_conversations",
    "channels_select": "selected_channel",
    "multi_channels_select": "selected_channels",
    "datepicker": "selected_date",
    "timepicker": "selected_time",
    "datetimepicker": "selected_date_time",
}
_SINGLE_OPTION = {"static_select", "external_select", "radio_buttons", "overflow"}
_MANY_OPTIONS = {"multi_static_select", "multi_external_select", "checkboxes"}


def state_value(element: Element, value: Any) -> dict[str, Any]:
    """`value` as Slack reports it in `view.state.values[block_id][action_id]`."""
    kind = element.get("type", "")
    state: dict[str, Any] = {"type": kind}
    if kind in _SINGLE_OPTION:
        state["selected_option"] = None if value is None else _option(element, value)
    elif kind in _MANY_OPTIONS:
        state["selected_options"] = [_option(element, item) for item in value or []]
    elif kind in _SELECTED_KEY:
        state[_SELECTED_KEY[kind]] = value
    elif kind == "file_input":
        # Slack sends the uploaded files' objects (files.info's shape): the driver passes them.
        state["files"] = list(value or [])
    elif kind == "number_input":
        state["value"] = None if value is None else str(value)
    else:  # plain_text_input, email/url inputs and anything newer: a plain value
        state["value"] = value
    return state


# Element type → the key of its initial value, for elements whose initial value is plain.
_INITIAL_KEY = {
    "users_select": "initial_user",
    "multi_users_select": "initial_users",
    "conversations_select": "initial_conversation",
    "multi_conversations_select": "initial_conversations",
    "channels_select": "initial_channel",
    "multi_channels_select": "initial_channels",
    "datepicker": "initial_date",
    "timepicker": "initial_time",
    "datetimepicker": "initial_date_time",
}


def initial_value(element: Element) -> Any:
    """What an untouched element submits, in the form `state_value` takes."""
    kind = element.get("type", "")
    if kind in _SINGLE_OPTION:
        option = element.get("initial_option")
        return option.get("value") if option else None
    if kind in _MANY_OPTIONS:
        return [option.get("value") for option in element.get("initial_options") or []]
    return element.get(_INITIAL_KEY.get(kind, "initial_value"))


def plain(text: Any) -> str:
    """The string inside a text object (or the string itself)."""
    if isinstance(text, dict):
        return str(text.get("text") or "")
    return "" if text is None else str(text)
