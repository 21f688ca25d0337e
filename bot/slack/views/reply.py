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


def plain_reply(text: str) -> Reply:
    """A one-section message (also shown as the notification text)."""
    return Reply(text=text, blocks=(SectionBlock(text=fit(text)),))
