"""Batches among requests: what waits for an approver (`/partner approvals`, the Home's
"waiting for you") and a requester's own (`/partner requests`, the Home's "your requests").
The buttons are the card's own (same action_id, same value): the card's listeners decide."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.i18n.formatting import money
from bot.i18n.times import when
from bot.services.batches.listing import BatchesAwaiting, MyBatch
from bot.services.batches.model import BatchSnapshot, BatchStatus, Progress
from bot.slack.batches import texts as text
from bot.slack.batches.views import APPROVE, REJECT, state_line
from bot.slack.blocks import fit, pack
from bot.slack.views.reply import Reply

SHOWN = 5
"""Batches listed in one place: with their buttons, 2 blocks whatever the count."""


def awaiting_blocks(awaiting: BatchesAwaiting, block_id: str) -> list[Block]:
    """One section for the lines, one row of Approve/Reject for those the reader decides."""
    if not awaiting.batches:
        return []
    shown = awaiting.batches[:SHOWN]
    lines = [_line(batch, None) for batch in shown]
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=fit("\n\n".join(lines))))]
    buttons = [
        button for batch in shown if batch.id in awaiting.decidable for button in _buttons(batch)
    ]
    if buttons:
        blocks.append(ActionsBlock(block_id=block_id, elements=buttons))
    if len(awaiting.batches) > SHOWN:
        more = text.list_more(len(awaiting.batches) - SHOWN).format(
            count=len(awaiting.batches) - SHOWN
        )
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=more)]))
    return blocks


def mine_blocks(mine: Sequence[MyBatch]) -> list[Block]:
    """A requester's batches with their state and progress, in one or two sections."""
    lines = [_line(item.batch, item.progress, own=True) for item in mine[:SHOWN]]
    return [SectionBlock(text=MarkdownTextObject(text=chunk)) for chunk in pack(lines)[:2]]


def with_batches(listed: Reply, title: object, blocks: list[Block], had_requests: bool) -> Reply:
    """A request list with the batches after it; with no request, the batches alone under
    the list's title (not "nothing is waiting" above what is)."""
    if not blocks:
        return listed
    if not had_requests:
        return Reply(text=str(title), blocks=(HeaderBlock(text=str(title)), *blocks))
    heading = HeaderBlock(text=str(text.LIST_TITLE))
    return Reply(text=listed.text, blocks=(*listed.blocks, heading, *blocks))


def _line(batch: BatchSnapshot, progress: Progress | None, *, own: bool = False) -> str:
    what = text.list_what(batch.row_count).format(
        count=batch.row_count,
        product=batch.product.label,
        added=money(batch.total_add),
        removed=money(batch.total_remove),
    )
    if own and batch.status is BatchStatus.DONE and progress is not None:
        state = text.LIST_DONE.format(
            ok=progress.succeeded, failed=progress.failed, unknown=progress.unknown,
            total=progress.total,
        )  # fmt: skip
    else:
        state = state_line(batch, progress)
    return text.LIST_ITEM.format(
        number=batch.number,
        what=what,
        requester=batch.requester_id,
        when=when(batch.created_at),
        state=state,
    )


def _buttons(batch: BatchSnapshot) -> list[ButtonElement]:
    value = str(batch.number)
    return [
        ButtonElement(
            text=fit(text.APPROVE_NUMBER.format(number=batch.number), 75),
            action_id=APPROVE,
            value=value,
            style="primary",
        ),
        ButtonElement(
            text=fit(text.REJECT_NUMBER.format(number=batch.number), 75),
            action_id=REJECT,
            value=value,
            style="danger",
        ),
    ]
