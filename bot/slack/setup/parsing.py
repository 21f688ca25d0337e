"""`/partner setup`: no arguments, it opens the keys modal."""

from __future__ import annotations

from dataclasses import dataclass

from bot.partner.models import Product


@dataclass(frozen=True, slots=True)
class Setup:
    pass


def parse_setup(_product: Product | None, _args: list[str]) -> Setup:
    return Setup()
