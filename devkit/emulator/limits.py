"""Slack's Block Kit limits, as Slack checks them before accepting a message or a view.

One checker for the fake Web API (which refuses what breaks them: `invalid_blocks` for
messages, `invalid_arguments` for views) and for tests that look at what an app built. Each
problem is reported as Slack words it in `response_metadata.messages`: a short reason and a
JSON pointer to the offending field.

Limits from Slack's reference pages (api.slack.com/reference/block-kit/blocks, /block-elements,
/composition-objects, /views): a message holds 50 blocks, a modal or Home tab 100; block_id and
action_id are at most 255 characters; block_ids are unique in a message or view, action_ids
within their block.
"""

from __future__ import annotations

from typing import Any

__all__ = ["LIMITS", "message_problems", "view_problems"]

LIMITS = {
    "message_blocks": 50,
    "view_blocks": 100,
    "block_id": 255,
    "action_id": 255,
    "section_text": 3000,
    "fields": 10,
    "field_text": 2000,
    "header_text": 150,
    "context_elements": 10,
    "actions_elements": 25,
    "input_label": 2000,
    "input_hint": 2000,
    "image_alt_text": 2000,
    "image_url": 3000,
    "button_text": 75,
    "button_value": 2000,
    "button_url": 3000,
    "placeholder": 150,
    "select_options": 100,
    "option_groups": 100,
    "option_group_label": 75,
    "checkbox_options": 10,
    "radio_options": 10,
    "overflow_options": 5,
    "option_text": 75,
    "option_value": 150,
    "option_description": 75,
    "confirm_title": 100,
    "confirm_text": 300,
    "confirm_button": 30,
    "text_input_initial": 3000,
    "view_title": 24,
    "view_button": 24,
    "private_metadata": 3000,
    "callback_id": 255,
    "external_id": 255,
}

_SELECTS_WITH_OPTIONS = {"static_select", "multi_static_select"}
_OPTION_LISTS = {
    "checkboxes": "checkbox_options",
    "radio_buttons": "radio_options",
    "overflow": "overflow_options",
}


def message_problems(blocks: Any) -> list[str]:
    """What Slack would refuse in a message's `blocks` (chat.*, response_url posts)."""
    if blocks is None:
        return []
    if not isinstance(blocks, list):
        return ["[ERROR] must be an array [json-pointer:/blocks]"]
    return _blocks_problems(blocks, LIMITS["message_blocks"])


def view_problems(view: Any) -> list[str]:
    """What Slack would refuse in a view (views.open/update/push/publish, response_action)."""
    if not isinstance(view, dict):
        return ["[ERROR] must be an object [json-pointer:/view]"]
    found: list[str] = []
    kind = view.get("type")
    title = view.get("title")
    if kind == "modal":
        if not isinstance(title, dict) or not _text(title):
            found.append(_err("a modal needs a plain_text title", "/view/title"))
        else:
            found += _length(_text(title), LIMITS["view_title"], "/view/title/text")
        has_input = any(
            isinstance(b, dict) and b.get("type") == "input" for b in view.get("blocks") or []
        )
        if has_input and not view.get("submit"):
            found.append(_err("a modal with input blocks needs submit", "/view/submit"))
    for name in ("close", "submit"):
        if view.get(name) is not None:
            found += _length(_text(view[name]), LIMITS["view_button"], f"/view/{name}/text")
    for name in ("private_metadata", "callback_id", "external_id"):
        found += _length(str(view.get(name) or ""), LIMITS[name], f"/view/{name}")
    blocks = view.get("blocks")
    if not isinstance(blocks, list):
        return [*found, _err("must be an array", "/view/blocks")]
    return found + [
        problem.replace("[json-pointer:/blocks", "[json-pointer:/view/blocks")
        for problem in _blocks_problems(blocks, LIMITS["view_blocks"])
    ]


# ---------------------------------------------------------------------- blocks


def _blocks_problems(blocks: list[Any], most: int) -> list[str]:
    found: list[str] = []
    if len(blocks) > most:
        found.append(_err(f"no more than {most} items allowed", "/blocks"))
    block_ids: set[str] = set()
    for index, block in enumerate(blocks):
        where = f"/blocks/{index}"
        if not isinstance(block, dict) or not block.get("type"):
            found.append(_err("a block must be an object with a type", where))
            continue
        block_id = block.get("block_id")
        if block_id is not None:
            found += _length(str(block_id), LIMITS["block_id"], f"{where}/block_id")
            if block_id in block_ids:
                found.append(_err(f"duplicate block_id {block_id!r}", f"{where}/block_id"))
            block_ids.add(block_id)
        found += _block(block, where)
    return found


def _block(block: dict[str, Any], where: str) -> list[str]:
    kind = block["type"]
    found: list[str] = []
    elements: list[tuple[dict[str, Any], str]] = []
    if kind == "section":
        if block.get("text") is None and not block.get("fields"):
            found.append(_err("a section needs text or fields", where))
        if block.get("text") is not None:
            found += _text_object(block["text"], LIMITS["section_text"], f"{where}/text")
        fields = block.get("fields") or []
        if len(fields) > LIMITS["fields"]:
            found.append(_err(f"no more than {LIMITS['fields']} items allowed", f"{where}/fields"))
        for i, field in enumerate(fields):
            found += _text_object(field, LIMITS["field_text"], f"{where}/fields/{i}")
        if isinstance(block.get("accessory"), dict):
            elements.append((block["accessory"], f"{where}/accessory"))
    elif kind == "header":
        found += _text_object(block.get("text"), LIMITS["header_text"], f"{where}/text")
    elif kind in ("context", "actions"):
        items = block.get("elements") or []
        most = LIMITS[f"{kind}_elements"]
        if not items or len(items) > most:
            found.append(_err(f"between 1 and {most} items allowed", f"{where}/elements"))
        if kind == "actions":
            elements += [(e, f"{where}/elements/{i}") for i, e in enumerate(items)]
            found += [
                _err("file_input is allowed only in an input block", f"{where}/elements/{i}")
                for i, e in enumerate(items)
                if isinstance(e, dict) and e.get("type") == "file_input"
            ]
        else:
            for i, item in enumerate(items):
                if isinstance(item, dict) and item.get("type") in ("mrkdwn", "plain_text"):
                    found += _text_object(item, 3000, f"{where}/elements/{i}")
    elif kind == "input":
        found += _text_object(block.get("label"), LIMITS["input_label"], f"{where}/label")
        if block.get("hint") is not None:
            found += _text_object(block["hint"], LIMITS["input_hint"], f"{where}/hint")
        if not isinstance(block.get("element"), dict):
            found.append(_err("an input needs an element", f"{where}/element"))
        else:
            elements.append((block["element"], f"{where}/element"))
    elif kind == "image":
        found += _length(str(block.get("alt_text") or ""), LIMITS["image_alt_text"], where)
        found += _length(str(block.get("image_url") or ""), LIMITS["image_url"], where)
    action_ids: set[str] = set()
    for element, at in elements:
        action_id = element.get("action_id")
        if action_id is not None:
            if action_id in action_ids:
                found.append(_err(f"duplicate action_id {action_id!r}", f"{at}/action_id"))
            action_ids.add(action_id)
        found += _element(element, at)
    return found


def _element(element: dict[str, Any], where: str) -> list[str]:
    kind = element.get("type")
    found: list[str] = []
    if element.get("action_id") is not None:
        found += _length(str(element["action_id"]), LIMITS["action_id"], f"{where}/action_id")
    if element.get("placeholder") is not None:
        found += _text_object(element["placeholder"], LIMITS["placeholder"], f"{where}/placeholder")
    if isinstance(element.get("confirm"), dict):
        found += _confirm(element["confirm"], f"{where}/confirm")
    if kind == "button":
        found += _text_object(element.get("text"), LIMITS["button_text"], f"{where}/text")
        found += _length(str(element.get("value") or ""), LIMITS["button_value"], f"{where}/value")
        found += _length(str(element.get("url") or ""), LIMITS["button_url"], f"{where}/url")
    elif kind in _SELECTS_WITH_OPTIONS:
        options, groups = element.get("options"), element.get("option_groups")
        if (options is None) == (groups is None):
            found.append(_err("options or option_groups, not both", where))
        found += _options(options or [], LIMITS["select_options"], f"{where}/options")
        if len(groups or []) > LIMITS["option_groups"]:
            found.append(_err("too many option_groups", f"{where}/option_groups"))
        for i, group in enumerate(groups or []):
            at = f"{where}/option_groups/{i}"
            found += _text_object(group.get("label"), LIMITS["option_group_label"], f"{at}/label")
            found += _options(group.get("options") or [], LIMITS["select_options"], f"{at}/options")
    elif kind in _OPTION_LISTS:
        most = LIMITS[_OPTION_LISTS[kind]]
        found += _options(element.get("options") or [], most, f"{where}/options")
        if kind == "overflow" and len(element.get("options") or []) < 2:
            found.append(_err("between 2 and 5 items allowed", f"{where}/options"))
    elif kind == "plain_text_input":
        initial = str(element.get("initial_value") or "")
        found += _length(initial, LIMITS["text_input_initial"], f"{where}/initial_value")
    elif kind == "file_input":
        most = element.get("max_files", 10)
        if not isinstance(most, int) or not 1 <= most <= 10:
            found.append(_err("max_files must be between 1 and 10", f"{where}/max_files"))
    return found


def _options(options: list[Any], most: int, where: str) -> list[str]:
    found: list[str] = []
    if len(options) > most:
        found.append(_err(f"no more than {most} items allowed", where))
    for i, option in enumerate(options):
        at = f"{where}/{i}"
        if not isinstance(option, dict):
            found.append(_err("an option must be an object", at))
            continue
        found += _text_object(option.get("text"), LIMITS["option_text"], f"{at}/text")
        found += _length(str(option.get("value") or ""), LIMITS["option_value"], f"{at}/value")
        if option.get("description") is not None:
            found += _text_object(
                option["description"], LIMITS["option_description"], f"{at}/description"
            )
    return found


def _confirm(confirm: dict[str, Any], where: str) -> list[str]:
    found = _text_object(confirm.get("title"), LIMITS["confirm_title"], f"{where}/title")
    found += _text_object(confirm.get("text"), LIMITS["confirm_text"], f"{where}/text")
    for name in ("confirm", "deny"):
        found += _text_object(confirm.get(name), LIMITS["confirm_button"], f"{where}/{name}")
    return found


# ---------------------------------------------------------------------- text


def _text_object(text: Any, most: int, where: str) -> list[str]:
    if not isinstance(text, dict) or text.get("type") not in ("plain_text", "mrkdwn"):
        return [_err("must be a text object (plain_text or mrkdwn)", where)]
    value = text.get("text")
    if not isinstance(value, str) or not value:
        return [_err("must be more than 0 characters", f"{where}/text")]
    return _length(value, most, f"{where}/text")


def _length(value: str, most: int, where: str) -> list[str]:
    if len(value) > most:
        return [_err(f"must be less than {most + 1} characters", where)]
    return []


def _text(text: Any) -> str:
    return str(text.get("text") or "") if isinstance(text, dict) else ""


def _err(reason: str, pointer: str) -> str:
    return f"[ERROR] {reason} [json-pointer:{pointer}]"
