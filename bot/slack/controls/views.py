"""Block Kit of freeze and cap: the replies, the Freeze and *Sweep the excess* buttons, the
over-cap notice, and a card once frozen or swept."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.i18n.formatting import number
from bot.money import format_money
from bot.partner.models import Product
from bot.services.requests.model import Status
from bot.services.subaccount_controls import Control, room_left
from bot.services.sweeping import Swept
from bot.slack.blocks import escape, fit, slack_date
from bot.slack.controls import texts as text
from bot.slack.views.reply import Reply

FREEZE_ACTION = "subaccount_freeze"
SWEEP_ACTION = "subaccount_sweep_excess"
UNFREEZE_ACTION = "subaccount_unfreeze"
HOME_SHOWN = 10
"""Each takes one block on the Home (of Slack's 100); the rest are in `/partner cap list`."""


def button_value(product: Product, token: str) -> str:
    return json.dumps({"p": product.value, "t": token})


def freeze_button(product: Product, token: str) -> ButtonElement:
    return ButtonElement(
        text=str(text.FREEZE),
        action_id=FREEZE_ACTION,
        value=button_value(product, token),
        style="danger",
    )


def sweep_button(product: Product, token: str) -> ButtonElement:
    return ButtonElement(
        text=str(text.SWEEP), action_id=SWEEP_ACTION, value=button_value(product, token)
    )


def what_moved(swept: Swept, subaccount: str) -> list[str]:
    """The removals, the balance now, and why the passes stopped early, if they did."""
    lines = []
    done = [r for r in swept.removals if r.status is Status.SUCCEEDED]
    if done:
        numbers = ", ".join(text.NUMBER.format(number=r.number) for r in done)
        lines.append(
            text.moved_in(len(done)).format(
                moved=format_money(swept.moved), count=number(len(done)), numbers=numbers
            )
        )
    else:
        lines.append(str(text.NOTHING_MOVED))
    if swept.balance is not None:
        lines.append(text.NOW_HOLDS.format(balance=format_money(swept.balance)))
    else:
        lines.append(text.NOT_READ.format(subaccount=subaccount))
    unknown = [r for r in swept.removals if r.status is Status.UNKNOWN]
    if unknown:
        lines.append(text.STOPPED_UNKNOWN.format(number=unknown[-1].number))
    return lines


def frozen_reply(swept: Swept) -> Reply:
    control = swept.control
    subaccount = escape(control.email)
    names = {"subaccount": subaccount, "product": control.product.label}
    if swept.newly_frozen:
        head = text.FROZEN.format(**names)
    else:
        head = text.ALREADY_FROZEN.format(user=f"<@{control.frozen_by}>", **names)
    body = " ".join([head, *what_moved(swept, subaccount)])
    note = text.ADVANCED.format(subaccount=subaccount)
    return Reply(
        text=body,
        blocks=(
            SectionBlock(text=fit(body)),
            ContextBlock(elements=[MarkdownTextObject(text=fit(note))]),
        ),
    )


def swept_reply(swept: Swept) -> Reply:
    subaccount = escape(swept.control.email)
    head = text.SWEEP_DONE.format(subaccount=subaccount, moved=format_money(swept.moved))
    body = " ".join([head, *what_moved(swept, subaccount)[1:]])
    return Reply(text=body, blocks=(SectionBlock(text=fit(body)),))


def cap_set_reply(control: Control, balance: Decimal) -> Reply:
    assert control.cap is not None
    subaccount = escape(control.email)
    note = ContextBlock(elements=[MarkdownTextObject(text=str(text.CAP_ADVANCED))])
    if balance > control.cap:
        body = text.CAP_SET_OVER.format(
            subaccount=subaccount,
            cap=format_money(control.cap),
            balance=format_money(balance),
            excess=format_money(balance - control.cap),
        )
        buttons = ActionsBlock(elements=[sweep_button(control.product, control.subaccount)])
        return Reply(text=body, blocks=(SectionBlock(text=fit(body)), buttons, note))
    body = text.CAP_SET.format(
        subaccount=subaccount,
        cap=format_money(control.cap),
        balance=format_money(balance),
        room=format_money(room_left(control.cap, balance)),
    )
    return Reply(text=body, blocks=(SectionBlock(text=fit(body)), note))


def over_cap_notice(control: Control, balance: Decimal) -> Reply:
    assert control.cap is not None
    body = text.OVER_CAP_NOTICE.format(
        product=control.product.label,
        subaccount=escape(control.email),
        balance=format_money(balance),
        cap=format_money(control.cap),
    )
    return Reply(
        text=body,
        blocks=(
            SectionBlock(text=fit(body)),
            ActionsBlock(
                block_id=f"over_cap_{control.product.value}",
                elements=[
                    sweep_button(control.product, control.subaccount),
                    freeze_button(control.product, control.subaccount),
                ],
            ),
        ),
    )


def controls_list(controls: list[Control]) -> str:
    if not controls:
        return str(text.LIST_EMPTY)
    lines = [str(text.LIST_HEADER)]
    for control in controls:
        parts = []
        if control.frozen:
            parts.append(text.LIST_FROZEN.format(user=f"<@{control.frozen_by}>"))
        if control.cap is not None:
            parts.append(text.LIST_CAP.format(cap=format_money(control.cap)))
        lines.append(f"• {escape(control.email)} ({control.product.label}): {', '.join(parts)}")
    return "\n".join(lines)


def acted_card(original: dict, note: str) -> Reply:
    """A card (alert, notice) as it was, its buttons replaced by what was done."""
    kept = [Block.parse(b) for b in original.get("blocks", []) if b.get("type") != "actions"]
    note_block = ContextBlock(elements=[MarkdownTextObject(text=fit(note))])
    return Reply(text=original.get("text") or note, blocks=[*kept, note_block])


def frozen_note(user: str, at: datetime, swept: Swept) -> str:
    return text.CARD_FROZEN.format(
        user=f"<@{user}>", at=slack_date(at), moved=format_money(swept.moved)
    )


def swept_note(user: str, at: datetime, swept: Swept) -> str:
    return text.SWEPT_EXCESS.format(
        user=f"<@{user}>", at=slack_date(at), moved=format_money(swept.moved)
    )


def unfreeze_button(product: Product, token: str) -> ButtonElement:
    return ButtonElement(
        text=str(text.UNFREEZE), action_id=UNFREEZE_ACTION, value=button_value(product, token)
    )


def controlled(controls: list[Control] | tuple[Control, ...]) -> list[Block]:
    """The Home's section: each frozen or capped subaccount, with what may be done about it
    (unfreeze, which a second approver confirms; sweep what is over the cap)."""
    blocks: list[Block] = [DividerBlock(), HeaderBlock(text=str(text.HOME_TITLE))]
    for n, control in enumerate(controls[:HOME_SHOWN]):
        line = controls_list([control]).splitlines()[-1]
        if control.frozen:
            button = unfreeze_button(control.product, control.subaccount)
        else:
            button = sweep_button(control.product, control.subaccount)
        blocks.append(SectionBlock(text=fit(line), accessory=button, block_id=f"control_{n}"))
    hint = text.HOME_HINT
    if len(controls) > HOME_SHOWN:
        hint = text.HOME_MORE.format(count=number(len(controls) - HOME_SHOWN))
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=str(hint))]))
    return blocks


def with_controls(
    shown: Reply, product: Product, token: str, balance: Decimal, control: Control | None
) -> Reply:
    """A subaccount's detail with its freeze and cap, and Freeze (or Unfreeze) to click."""
    state = []
    if control is not None and control.frozen:
        state.append(text.LIST_FROZEN.format(user=f"<@{control.frozen_by}>"))
    if control is not None and control.cap is not None:
        room = format_money(room_left(control.cap, balance))
        state.append(text.CAP_ROOM.format(cap=format_money(control.cap), room=room))
    frozen = control is not None and control.frozen
    button = unfreeze_button(product, token) if frozen else freeze_button(product, token)
    blocks = list(shown.blocks)
    if state:
        blocks.append(SectionBlock(text=fit(" · ".join(state))))
    blocks.append(ActionsBlock(block_id="subaccount_controls", elements=[button]))
    return Reply(text=shown.text, blocks=blocks)


def announcement(user: str, swept: Swept, *, freeze: bool) -> str:
    """What the approvals channel is told: who froze (or swept) what, and what moved."""
    said = text.ANNOUNCE_FROZEN if freeze else text.ANNOUNCE_SWEPT
    return said.format(
        user=f"<@{user}>",
        subaccount=escape(swept.control.email),
        product=swept.control.product.label,
        moved=format_money(swept.moved),
    )
