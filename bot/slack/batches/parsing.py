"""`/partner [sms|mail] batch` (`lot`): opens the batch form for that product (SMS if none)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.partner.models import Product
from bot.slack.batches import texts as text
from bot.slack.commands import CommandError
from bot.slack.texts import usage


@dataclass(frozen=True, slots=True)
class OpenBatch:
    product: Product


def parse_batch(product: Product | None, args: list[str]) -> OpenBatch:
    if args:
        raise CommandError(text.TAKES_NOTHING, usage.BATCH)
    return OpenBatch(product or Product.SMS)
