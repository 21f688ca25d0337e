from __future__ import annotations

from collections.abc import Mapping, Sequence

from slack_sdk.models.blocks import (
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.i18n.times import when
from bot.money import format_money
from bot.partner.keys import fingerprint
from bot.partner.models import Account, Product
from bot.services.partner_keys import KeyStatus
from bot.services.settings_changes import NO_KEY_IN_USE, ChangeSnapshot
from bot.slack.setup import texts as text

SETUP_CALLBACK = "partner_setup"
KEY_ACTION = "api_key"
MAX_KEY_LENGTH = 200


def key_block_id(product: Product) -> str:
    return f"key_{product.value}"


def setup_modal(
    statuses: Mapping[Product, KeyStatus],
    *,
    refused: Mapping[Product, str] | None = None,
    private_metadata: str = "",
) -> View:
    blocks: list = [SectionBlock(text=str(text.INTRO))]
    if refused:
        blocks.append(SectionBlock(text=str(text.NOTHING_SAVED)))
    for product in Product:
        blocks.append(
            InputBlock(
                block_id=key_block_id(product),
                label=text.LABEL.format(product=product.label),
                optional=True,
                hint=_current(statuses.get(product)),
                element=PlainTextInputElement(
                    action_id=KEY_ACTION,
                    placeholder=text.PLACEHOLDER.format(product=product.label),
                    max_length=MAX_KEY_LENGTH,
                ),
            )
        )
        if refused and product in refused:
            message = text.REFUSED.format(product=product.label, message=refused[product])
            blocks.append(ContextBlock(elements=[MarkdownTextObject(text=message[:3000])]))
    return View(
        type="modal",
        callback_id=SETUP_CALLBACK,
        title=str(text.MODAL_TITLE),
        submit=str(text.SUBMIT),
        close=str(text.CLOSE),
        private_metadata=private_metadata,
        blocks=blocks,
    )


def setup_done_view(
    saved: Mapping[Product, tuple[str, Account]], *, waiting: Sequence[ChangeSnapshot] = ()
) -> View:
    """What was saved, and which replacements wait for an approver (by fingerprint only)."""
    lines = [
        text.DONE_LINE.format(
            product=product.label,
            fingerprint=fingerprint(key),
            balance=format_money(account.balance, account.currency),
        )
        for product, (key, account) in saved.items()
    ]
    lines += [
        (text.WAITING_FIRST_LINE if change.old == NO_KEY_IN_USE else text.WAITING_LINE).format(
            product=Product(change.subject).label,
            old=change.old,
            new=change.new,
            channel=f"<#{change.card_channel_id}>" if change.card_channel_id else str(text.CHANNEL),
        )
        for change in waiting
    ]
    intro = text.DONE if saved else text.DONE_NOTHING_YET
    return View(
        type="modal",
        callback_id=SETUP_CALLBACK,
        title=str(text.DONE_TITLE if saved else text.WAITING_TITLE),
        close=str(text.DONE_CLOSE),
        blocks=[SectionBlock(text=str(intro)), SectionBlock(text="\n".join(lines))],
    )


def _current(status: KeyStatus | None) -> str:
    if status is None:
        return str(text.NOT_SET)
    source = (
        str(text.CURRENT_SOURCE_ENV)
        if status.from_environment
        else text.CURRENT_SOURCE_DB.format(date=when(status.set_at) if status.set_at else "?")
    )
    return text.CURRENT.format(fingerprint=status.fingerprint, source=source)
