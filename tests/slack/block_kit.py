"""Slack's Block Kit limits, checked on everything the app sends (Slack would refuse more)."""

from __future__ import annotations

from typing import Any

LIMITS = {
    "blocks": 50,
    "section_text": 3000,
    "fields": 10,
    "field_text": 2000,
    "header_text": 150,
    "button_text": 75,
    "button_value": 2000,
    "context_elements": 10,
}


def violations(blocks: list[dict[str, Any]] | None) -> list[str]:
    found: list[str] = []
    blocks = blocks or []
    if len(blocks) > LIMITS["blocks"]:
        found.append(f"{len(blocks)} blocks")
    action_ids: list[str] = []
    for block in blocks:
        kind = block.get("type")
        text = (block.get("text") or {}).get("text", "")
        if kind == "section":
            if len(text) > LIMITS["section_text"]:
                found.append(f"section text of {len(text)}")
            fields = block.get("fields") or []
            if len(fields) > LIMITS["fields"]:
                found.append(f"{len(fields)} fields")
            found += [
                f"field of {len(f['text'])}"
                for f in fields
                if len(f["text"]) > LIMITS["field_text"]
            ]
        if kind == "header" and len(text) > LIMITS["header_text"]:
            found.append(f"header of {len(text)}")
        if kind == "context" and len(block.get("elements", [])) > LIMITS["context_elements"]:
            found.append("context with too many elements")
        for element in [*block.get("elements", []), block.get("accessory") or {}]:
            if element.get("type") == "button":
                action_ids.append(element["action_id"])
                if len(element["text"]["text"]) > LIMITS["button_text"]:
                    found.append("button text too long")
                if len(element.get("value", "")) > LIMITS["button_value"]:
                    found.append("button value too long")
    if len(action_ids) != len(set(action_ids)):
        found.append("duplicate action_id")
    return found
