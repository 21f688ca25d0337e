from __future__ import annotations

from collections.abc import Mapping

from slack_sdk.models.blocks import HeaderBlock, SectionBlock
from slack_sdk.models.views import View

from bot.partner.models import Product
from bot.services.partner_keys import KeyStatus
from bot.slack.events import home_texts as text


def home_view(statuses: Mapping[Product, KeyStatus]) -> View:
    if statuses:
        products = ", ".join(f"{p.label} (key {s.fingerprint})" for p, s in statuses.items())
        set_up = text.SET_UP.format(products=products)
    else:
        set_up = text.NOTHING_SET_UP
    return View(
        type="home",
        blocks=[
            HeaderBlock(text=text.TITLE),
            SectionBlock(text=text.INTRO),
            SectionBlock(text=set_up),
        ],
    )
