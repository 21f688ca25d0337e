from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.i18n.formatting import number
from bot.i18n.times import day, when
from bot.money import format_money
from bot.partner.models import Product, Subaccount
from bot.slack.blocks import MAX_BUTTON_VALUE, escape, fit
from bot.slack.lookups import subaccount_texts as text
from bot.slack.minted import json_object
from bot.slack.views.reply import Reply

PAGE_SIZE = 15
"""15 rows + header, summary and buttons stay far below Slack's 50 blocks a message."""

PAGE_ACTION = "subaccounts_page"


@dataclass(frozen=True, slots=True)
class ListPosition:
    """What a Next/Previous button carries, so a click can rebuild the page."""

    product: Product
    search: str
    page: int

    def encode(self) -> str:
        value = json.dumps({"p": self.product.value, "q": self.search, "n": self.page})
        assert len(value) <= MAX_BUTTON_VALUE
        return value

    @classmethod
    def decode(cls, value: str) -> ListPosition:
        data = json_object(value, "a page button")
        return cls(Product(data["p"]), str(data["q"]), int(data["n"]))


def subaccount_list_reply(
    product: Product, search: str, subaccounts: Sequence[Subaccount], page: int
) -> Reply:
    if not subaccounts:
        empty = (
            text.LIST_EMPTY_FILTERED.format(product=product.label, search=escape(search))
            if search
            else text.LIST_EMPTY.format(product=product.label)
        )
        return Reply(text=empty, blocks=(SectionBlock(text=empty),))
    pages = -(-len(subaccounts) // PAGE_SIZE)
    page = min(max(page, 1), pages)
    shown = subaccounts[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    total = format_money(sum((s.balance for s in subaccounts), Decimal(0)))
    summary = (
        text.list_summary_filtered(len(subaccounts)).format(
            count=number(len(subaccounts)), search=escape(search), total=total
        )
        if search
        else text.list_summary(len(subaccounts)).format(count=number(len(subaccounts)), total=total)
    )
    blocks: list = [
        HeaderBlock(text=text.LIST_TITLE.format(product=product.label)),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=fit(
                        summary
                        + " · "
                        + text.LIST_PAGE.format(page=number(page), pages=number(pages))
                    )
                )
            ]
        ),
    ]
    blocks += [SectionBlock(text=fit(_row(s))) for s in shown]
    buttons = []
    if page > 1:
        buttons.append(_page_button(str(text.PREVIOUS), ListPosition(product, search, page - 1)))
    if page < pages:
        buttons.append(_page_button(str(text.NEXT), ListPosition(product, search, page + 1)))
    if buttons:
        blocks.append(ActionsBlock(block_id="subaccounts_pages", elements=buttons))
    fallback = text.FALLBACK.format(product=product.label, page=page, pages=pages)
    return Reply(text=fallback, blocks=blocks)


def subaccount_detail_reply(product: Product, subaccount: Subaccount) -> Reply:
    balance = format_money(subaccount.balance, subaccount.currency)
    values = {
        "email": escape(subaccount.email) or str(text.NO_EMAIL),
        "balance": balance,
        "type": escape(subaccount.type) or "—",
        "id": subaccount.id,
        "token": escape(subaccount.token),
        "created": when(subaccount.created_at) if subaccount.created_at else "—",
    }
    fields = [
        MarkdownTextObject(
            text=fit(text.DETAIL_FIELD.format(label=label, value=value.format(**values)), 2000)
        )
        for label, value in text.DETAIL_FIELDS
    ]
    return Reply(
        text=text.DETAIL_FALLBACK.format(email=values["email"], balance=balance),
        blocks=(
            HeaderBlock(text=text.DETAIL_TITLE.format(product=product.label)),
            SectionBlock(fields=fields),
            ContextBlock(elements=[MarkdownTextObject(text=str(text.DETAIL_HINT))]),
        ),
    )


def _row(subaccount: Subaccount) -> str:
    created = (
        text.ROW_CREATED.format(date=day(subaccount.created_at)) if subaccount.created_at else ""
    )
    return text.ROW.format(
        email=escape(subaccount.email) or str(text.NO_EMAIL),
        balance=format_money(subaccount.balance, subaccount.currency),
        type=escape(subaccount.type) or "—",
        id=subaccount.id,
        created=created,
    )


def _page_button(label: str, position: ListPosition) -> ButtonElement:
    return ButtonElement(
        text=label, action_id=f"{PAGE_ACTION}_{position.page}", value=position.encode()
    )
