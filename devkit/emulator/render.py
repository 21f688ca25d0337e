"""Block Kit as compact terminal text, for the console and for readable test failures.

Interactive elements become numbered buttons (`[3] Approve`): a console reads a number and
clicks the matching `Button` through the driver. Selects and overflow menus list one numbered
entry per option, carrying the option's value.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from devkit.emulator.blocks import all_options, plain

__all__ = ["Button", "Rendered", "mrkdwn_to_text", "render_message", "render_view"]

Users = Callable[[str], str | None]

_WIDTH = 80
_RULE = "─" * 40
_LINK = re.compile(r"<([^<>]*)>")
_OPTION_ELEMENTS = {"static_select", "radio_buttons", "overflow", "checkboxes"}
_INITIAL_KEYS = (
    "initial_value",
    "initial_user",
    "initial_users",
    "initial_conversation",
    "initial_conversations",
    "initial_channel",
    "initial_channels",
    "initial_date",
    "initial_time",
    "initial_date_time",
)


@dataclass
class Button:
    number: int
    label: str
    action_id: str
    block_id: str | None
    value: str | None
    style: str | None
    url: str | None


@dataclass
class Rendered:
    text: str
    buttons: list[Button] = field(default_factory=list)


def mrkdwn_to_text(text: str, users: Users | None = None) -> str:
    """Slack's mrkdwn references and escapes as plain text; *bold* and _italic_ stay."""

    def replace(match: re.Match[str]) -> str:
        return _reference(match.group(1), users)

    return _LINK.sub(replace, text).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _reference(inner: str, users: Users | None) -> str:
    target, _, label = inner.partition("|")
    if target.startswith("@"):
        user_id = target[1:]
        return "@" + (label or (users(user_id) if users else None) or user_id)
    if target.startswith("#"):
        # The same lookup names channels: ids don't overlap (U…/W… users, C…/G… channels).
        channel_id = target[1:]
        return "#" + (label or (users(channel_id) if users else None) or channel_id)
    if target.startswith("!"):
        keyword = target[1:]
        if keyword.startswith("subteam^"):
            return label or "@" + keyword.removeprefix("subteam^")
        if keyword.startswith("date^"):
            return label or keyword
        return label or "@" + keyword
    if label and label != target:
        return f"{label} ({target})"
    return target


def render_message(
    text: str | None,
    blocks: list[dict[str, Any]] | None,
    *,
    users: Users | None = None,
    first_button_number: int = 1,
    width: int = _WIDTH,
) -> Rendered:
    """A message as Slack shows it: its blocks, or its text when it has none."""
    renderer = _Renderer(users, first_button_number)
    lines = renderer.blocks(blocks) if blocks else mrkdwn_to_text(text or "", users).split("\n")
    return Rendered(_wrap(lines, width), renderer.buttons)


def render_view(
    view: dict[str, Any],
    *,
    users: Users | None = None,
    first_button_number: int = 1,
    width: int = _WIDTH,
    errors: dict[str, str] | None = None,
) -> Rendered:
    """A modal or Home tab: a framed title, the blocks, then the submit/close labels.
    `errors` (block_id → text, from a response_action "errors") show under their inputs."""
    renderer = _Renderer(users, first_button_number, errors or {})
    title = plain(view.get("title")) or ("Home" if view.get("type") == "home" else "Modal")
    lines = [f"┌─ {title}"]
    lines += [f"│ {line}".rstrip() for line in renderer.blocks(view.get("blocks") or [])]
    footer = [f"[{name}: {plain(view[key])}]" for key, name in _FOOTER if view.get(key)]
    lines.append("└─ " + " ".join(footer) if footer else "└─")
    return Rendered(_wrap(lines, width), renderer.buttons)


_FOOTER = (("submit", "Submit"), ("close", "Close"))


class _Renderer:
    def __init__(
        self, users: Users | None, first_number: int, errors: dict[str, str] | None = None
    ) -> None:
        self.users = users
        self.next_number = first_number
        self.errors = errors or {}
        self.buttons: list[Button] = []

    def text(self, obj: Any) -> str:
        if isinstance(obj, dict) and obj.get("type") == "mrkdwn":
            return mrkdwn_to_text(obj.get("text") or "", self.users)
        return plain(obj)

    def blocks(self, blocks: list[dict[str, Any]]) -> list[str]:
        lines: list[str] = []
        for block in blocks:
            render = getattr(self, "_" + str(block.get("type")), None)
            lines.extend(render(block) if render else [f"[{block.get('type')}]"])
        return lines

    # -- blocks

    def _header(self, block: dict[str, Any]) -> list[str]:
        title = self.text(block.get("text"))
        return [f"══ {title} " + "═" * max(3, 36 - len(title))]

    def _divider(self, block: dict[str, Any]) -> list[str]:
        return [_RULE]

    def _section(self, block: dict[str, Any]) -> list[str]:
        lines = self.text(block.get("text")).split("\n") if block.get("text") else []
        lines += self._fields(block.get("fields") or [])
        accessory = block.get("accessory")
        if isinstance(accessory, dict):
            shown = self.element(accessory, block.get("block_id"))
            if lines and len(lines[-1]) + len(shown) + 2 <= _WIDTH:
                lines[-1] = f"{lines[-1]}  {shown}"
            else:
                lines.append("  " + shown)
        return lines

    def _fields(self, fields: list[Any]) -> list[str]:
        pairs = []
        for item in fields:
            label, _, value = self.text(item).partition("\n")
            pairs.append((label.strip().strip("*_").strip(), value.strip()))
        width = min(24, max((len(label) for label, value in pairs if value), default=0))
        lines = []
        for label, value in pairs:
            if not value:
                lines.append(f"  {label}")
                continue
            first, *rest = value.split("\n")
            lines.append(f"  {label:<{width}}   {first}")
            lines += [" " * (width + 5) + line for line in rest]
        return lines

    def _context(self, block: dict[str, Any]) -> list[str]:
        parts = []
        for element in block.get("elements") or []:
            if element.get("type") == "image":
                parts.append(f"[{element.get('alt_text') or 'image'}]")
            else:
                parts.append(self.text(element).replace("\n", " "))
        return [" · ".join(part for part in parts if part)]

    def _actions(self, block: dict[str, Any]) -> list[str]:
        shown = [self.element(e, block.get("block_id")) for e in block.get("elements") or []]
        return ["  ".join(shown)]

    def _image(self, block: dict[str, Any]) -> list[str]:
        title = self.text(block.get("title"))
        alt = block.get("alt_text") or "image"
        return [f"[image: {alt}]" + (f" {title}" if title else "")]

    def _input(self, block: dict[str, Any]) -> list[str]:
        element = block.get("element") or {}
        label = self.text(block.get("label"))
        optional = " (optional)" if block.get("optional") else ""
        lines = [
            f"  [{block.get('block_id')}.{element.get('action_id')}] {label}{optional}: "
            + _describe(element)
        ]
        if block.get("hint"):
            lines.append("      " + self.text(block["hint"]))
        if block.get("block_id") in self.errors:
            lines.append(f"      ! {self.errors[block['block_id']]}")
        return lines

    def _rich_text(self, block: dict[str, Any]) -> list[str]:
        lines: list[str] = []
        for element in block.get("elements") or []:
            kind = element.get("type")
            if kind == "rich_text_list":
                indent = "  " * int(element.get("indent") or 0)
                for number, item in enumerate(element.get("elements") or [], start=1):
                    bullet = f"{number}." if element.get("style") == "ordered" else "•"
                    lines.append(f"{indent}{bullet} {self._inline(item)}")
            elif kind == "rich_text_preformatted":
                lines += ["    " + line for line in self._inline(element).split("\n")]
            elif kind == "rich_text_quote":
                lines += ["> " + line for line in self._inline(element).split("\n")]
            else:
                lines += self._inline(element).split("\n")
        return lines

    def _inline(self, section: dict[str, Any]) -> str:
        parts = []
        for item in section.get("elements") or []:
            kind = item.get("type")
            if kind == "text":
                parts.append(item.get("text") or "")
            elif kind == "link":
                url, label = item.get("url") or "", item.get("text")
                parts.append(f"{label} ({url})" if label and label != url else url)
            elif kind == "user":
                user_id = item.get("user_id") or ""
                parts.append("@" + ((self.users(user_id) if self.users else None) or user_id))
            elif kind == "channel":
                parts.append("#" + (item.get("channel_id") or ""))
            elif kind == "usergroup":
                parts.append("@" + (item.get("usergroup_id") or ""))
            elif kind == "broadcast":
                parts.append("@" + (item.get("range") or "here"))
            elif kind == "emoji":
                parts.append(f":{item.get('name')}:")
            else:
                parts.append(item.get("fallback") or item.get("text") or "")
        return "".join(parts)

    # -- interactive elements

    def element(self, element: dict[str, Any], block_id: str | None) -> str:
        kind = element.get("type")
        if kind == "button":
            return self.button(plain(element.get("text")), element, block_id, element.get("value"))
        if kind == "image":
            return f"[{element.get('alt_text') or 'image'}]"
        if kind in _OPTION_ELEMENTS or (kind or "").startswith("multi_static"):
            head = "⋯" if kind == "overflow" else (plain(element.get("placeholder")) or kind) + ":"
            shown = [
                self.button(plain(option.get("text")), element, block_id, option.get("value"))
                for option in all_options(element)
            ]
            return " ".join([head, *shown])
        return _describe(element)

    def button(
        self, label: str, element: dict[str, Any], block_id: str | None, value: str | None
    ) -> str:
        button = Button(
            number=self.next_number,
            label=label,
            action_id=element.get("action_id") or "",
            block_id=block_id,
            value=value,
            style=element.get("style"),
            url=element.get("url"),
        )
        self.buttons.append(button)
        self.next_number += 1
        return f"[{button.number}] {label}" + (" ↗" if button.url else "")


def _describe(element: dict[str, Any]) -> str:
    """`<type: options = initial>` for an input element."""
    kind = str(element.get("type") or "element")
    parts = [kind]
    options = all_options(element)
    if options:
        shown = []
        for option in options:
            text, value = plain(option.get("text")), option.get("value")
            shown.append(text if text == value else f"{text} ({value})")
        parts.append(": " + " | ".join(shown))
    initial = _initial(element)
    if initial:
        parts.append(f" = {initial}")
    elif element.get("placeholder"):
        parts.append(f" ({plain(element['placeholder'])})")
    return "<" + "".join(parts) + ">"


def _initial(element: dict[str, Any]) -> str:
    if element.get("initial_option"):
        return plain(element["initial_option"].get("text"))
    if element.get("initial_options"):
        return ", ".join(plain(option.get("text")) for option in element["initial_options"])
    for key in _INITIAL_KEYS:
        value = element.get(key)
        if value not in (None, "", []):
            return ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    return ""


def _wrap(lines: list[str], width: int) -> str:
    """Wrap long lines to `width`, keeping each line's indentation (and any frame prefix), and
    leaving preformatted text alone."""
    out: list[str] = []
    fenced = False
    for line in lines:
        if line.lstrip("│ ").startswith("```"):
            fenced = not fenced
        if fenced or len(line) <= width:
            out.append(line)
            continue
        prefix = re.match(r"[│ ]*(?:[•>] |\d+\. )?", line)
        indent = " " * len(prefix.group(0)) if prefix else ""
        if line.startswith("│"):
            indent = "│" + indent[1:]
        out.extend(
            textwrap.wrap(
                line,
                width=width,
                subsequent_indent=indent,
                break_long_words=False,
                break_on_hyphens=False,
            )
            or [line]
        )
    return "\n".join(out)
