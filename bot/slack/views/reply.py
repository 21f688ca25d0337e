"""A message to send: fallback text plus Block Kit blocks, built with slack_sdk's models."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from slack_sdk.models.blocks import Block, SectionBlock

from bot.slack.blocks import MAX_BLOCKS, fit


@dataclass(frozen=True, slots=True)
class Reply:
    text: str
    blocks: Sequence[Block] = field(default_factory=tuple)

    def as_kwargs(self) -> dict[str, Any]:
        blocks = [block.to_dict() for block in self.blocks]
        assert len(blocks) <= MAX_BLOCKS, "a view builder made more blocks than Slack allows"
        return {"text": fit(self.text), "blocks": blocks}


REFUSAL_BLOCK_ID = "partner_ops_refusal"
"""Marks a reply that refused or failed what was asked (the console's `-c` exits non-zero)."""


def refusal_reply(text: str) -> Reply:
    """A refusal or failure, worded for the asker; its block is marked `REFUSAL_BLOCK_ID`.
    `text` may be a marked constant (bot.i18n `_l`): it is rendered now, in today's language."""
    text = str(text)
    return Reply(text=text, blocks=(SectionBlock(text=fit(text), block_id=REFUSAL_BLOCK_ID),))


def plain_reply(text: str) -> Reply:
    """A one-section message (also shown as the notification text); `text` may be a marked
    constant (bot.i18n `_l`), rendered now."""
    text = str(text)
    return Reply(text=text, blocks=(SectionBlock(text=fit(text)),))
