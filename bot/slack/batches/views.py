"""Block Kit of `/partner batch`: the form, what its check answers (problems, questions, sent),
and the approval card with its progress."""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    SectionBlock,
)
from slack_sdk.models.blocks.block_elements import FileInputElement
from slack_sdk.models.views import View

from bot.money import format_money
from bot.partner.models import Product
from bot.services.batches.model import (
    BatchSnapshot,
    BatchStatus,
    Progress,
    Question,
    RowSnapshot,
    RowStatus,
)
from bot.services.batches.rows import RowProblem
from bot.slack.batches import texts as text
from bot.slack.blocks import fit, pack, text_input
from bot.slack.slack_text import escape
from bot.slack.views.modal import modal_title

FORM = "batch_form"
CONFIRM = "batch_confirm"
APPROVE = "batch_approve"
REJECT = "batch_reject"
REJECT_FORM = "batch_reject_form"
MARK = "batch_mark"
MARK_FORM = "batch_mark_form"
IN_FORM = 5
"""Problems listed under a field of the form; the rest counted (Slack shows short errors)."""
IN_VIEW = 40
FIRST_ROWS = 5


def title() -> str:
    return modal_title(str(text.TITLE))


def batch_form(product: Product) -> View:
    return View(
        type="modal",
        callback_id=FORM,
        title=title(),
        submit=str(text.SUBMIT),
        close=str(text.CLOSE),
        private_metadata=json.dumps({"product": product.value}),
        blocks=[
            SectionBlock(text=MarkdownTextObject(text=str(text.INTRO))),
            InputBlock(
                block_id="file",
                label=str(text.FILE_LABEL),
                optional=True,
                element=FileInputElement(action_id="file", filetypes=["csv", "txt"], max_files=1),
            ),
            text_input(
                "rows",
                str(text.ROWS_LABEL),
                max_length=3000,
                optional=True,
                multiline=True,
                hint=str(text.ROWS_HINT),
            ),
        ],
    )


def problem_line(problem: RowProblem) -> str:
    if problem.line == 0:
        return str(problem)
    return text.ROW_LINE.format(line=problem.line, problem=str(problem))


def summary(problems: list[RowProblem], most: int) -> str:
    """The first `most` problems, one a line, and how many more."""
    lines = [problem_line(p) for p in problems[:most]]
    if len(problems) > most:
        lines.append(text.MORE.format(count=len(problems) - most))
    return "\n".join(lines)


def problems_view(problems: list[RowProblem]) -> View:
    lines = [escape(problem_line(p)) for p in problems[:IN_VIEW]]
    if len(problems) > IN_VIEW:
        lines.append(text.MORE.format(count=len(problems) - IN_VIEW))
    return View(
        type="modal",
        title=modal_title(str(text.PROBLEMS_TITLE)),
        close=str(text.CLOSE),
        blocks=[
            SectionBlock(text=MarkdownTextObject(text=str(text.PROBLEMS_HEAD))),
            *(SectionBlock(text=MarkdownTextObject(text=chunk)) for chunk in pack(lines)),
        ],
    )


def _question(question: Question, values: list[str]) -> str:
    shown = ", ".join(values[:20]) + ("…" if len(values) > 20 else "")
    if question is Question.SAME_FILE:
        return "• " + text.SAME_FILE.format(number=shown)
    if question is Question.ROW_IDS_DONE:
        return "• " + text.ROW_IDS_DONE.format(lines=shown)
    return "• " + text.REPEATED_ROWS.format(lines=shown)


def questions_view(draft: BatchSnapshot, questions: list[tuple[Question, list[str]]]) -> View:
    head = text.QUESTIONS_HEAD.format(number=draft.number, count=draft.row_count)
    body = "\n".join(_question(q, values) for q, values in questions)
    return View(
        type="modal",
        callback_id=CONFIRM,
        title=modal_title(str(text.QUESTIONS_TITLE)),
        submit=str(text.SEND_ANYWAY),
        close=str(text.CLOSE),
        private_metadata=json.dumps({"batch": draft.number}),
        blocks=[
            SectionBlock(text=MarkdownTextObject(text=fit(f"{head}\n{body}"))),
            ContextBlock(elements=[MarkdownTextObject(text=str(text.QUESTIONS_FOOT))]),
        ],
    )


def sent_view(batch: BatchSnapshot, channel_id: str) -> View:
    message = text.SENT.format(number=batch.number, count=batch.row_count, channel=channel_id)
    return View(
        type="modal",
        title=modal_title(str(text.SENT_TITLE)),
        close=str(text.CLOSE),
        blocks=[SectionBlock(text=MarkdownTextObject(text=message))],
    )


def reject_title(number: int) -> str:
    return modal_title(text.REJECT_TITLE.format(number=number), str(text.REJECT_TITLE_SHORT))


def reject_form(number: int) -> View:
    return View(
        type="modal",
        callback_id=REJECT_FORM,
        title=reject_title(number),
        submit=str(text.REJECT_SUBMIT),
        close=str(text.CLOSE),
        private_metadata=json.dumps({"batch": number}),
        blocks=[text_input("reason", str(text.REJECT_LABEL), max_length=500, multiline=True)],
    )


def mark_form(batch: BatchSnapshot, unknown: list[RowSnapshot]) -> View:
    lines = [
        _row(row) + (f" — {escape(row.outcome_note)}" if row.outcome_note else "")
        for row in unknown[:IN_VIEW]
    ]
    if len(unknown) > IN_VIEW:
        lines.append(text.MORE.format(count=len(unknown) - IN_VIEW))
    return View(
        type="modal",
        callback_id=MARK_FORM,
        title=modal_title(str(text.MARK_TITLE)),
        submit=str(text.MARK_SUBMIT),
        close=str(text.CLOSE),
        private_metadata=json.dumps({"batch": batch.number}),
        blocks=[
            SectionBlock(text=MarkdownTextObject(text=str(text.MARK_HEAD))),
            *(SectionBlock(text=MarkdownTextObject(text=chunk)) for chunk in pack(lines)[:10]),
            text_input(
                "done",
                str(text.MARK_DONE),
                max_length=3000,
                optional=True,
                hint=str(text.MARK_HINT),
            ),
            text_input("failed", str(text.MARK_FAILED), max_length=3000, optional=True),
        ],
    )


# --- the card ------------------------------------------------------------------------------------


def card(
    batch: BatchSnapshot, rows: list[RowSnapshot], progress: Progress | None = None
) -> dict[str, Any]:
    """chat.postMessage / chat.update arguments, in the current (the channel's) language."""
    after = batch.main_balance_after
    fields = text.CARD_FIELDS.format(
        requester=batch.requester_id,
        source=escape(batch.source),
        added=format_money(batch.total_add),
        removed=format_money(batch.total_remove),
        before=format_money(batch.main_balance_before)
        if batch.main_balance_before is not None
        else "?",
        after=format_money(after) if after is not None else "?",
    )
    needs = (
        text.CARD_TWO.format(count=batch.approvals_needed, given=len(batch.approvers))
        if batch.approvals_needed > 1
        else str(text.CARD_ONE)
    )
    lines = [str(text.CARD_FIRST_ROWS)] + [_row(row) for row in rows[:FIRST_ROWS]]
    if len(rows) > FIRST_ROWS:
        lines.append(text.CARD_MORE_ROWS.format(count=len(rows) - FIRST_ROWS))
    state = f"{needs} {state_line(batch, progress)}"
    blocks: list[Any] = [
        HeaderBlock(
            text=fit(
                text.card_head(batch.row_count).format(
                    number=batch.number, count=batch.row_count, product=batch.product.label
                ),
                150,
            )
        ),
        SectionBlock(text=MarkdownTextObject(text=fit(fields))),
        SectionBlock(text=MarkdownTextObject(text=fit("\n".join(lines)))),
        ContextBlock(elements=[MarkdownTextObject(text=state)]),
    ]
    if batch.status is BatchStatus.PENDING:
        value = str(batch.number)
        blocks.append(
            ActionsBlock(
                block_id="batch_decide",
                elements=[
                    ButtonElement(
                        text=str(text.APPROVE), action_id=APPROVE, value=value, style="primary"
                    ),
                    ButtonElement(
                        text=str(text.REJECT), action_id=REJECT, value=value, style="danger"
                    ),
                ],
            )
        )
    unknown = [row for row in rows if row.status is RowStatus.UNKNOWN]
    if batch.status is BatchStatus.DONE and unknown:
        blocks.append(
            ActionsBlock(
                block_id="batch_unknown",
                elements=[
                    ButtonElement(text=str(text.MARK), action_id=MARK, value=str(batch.number))
                ],
            )
        )
    fallback = text.card_fallback(batch.row_count).format(
        number=batch.number, requester=batch.requester_id, count=batch.row_count
    )
    return {"text": fallback, "blocks": [block.to_dict() for block in blocks]}


def _row(row: RowSnapshot) -> str:
    verb = text.VERB_ADD if row.add else text.VERB_REMOVE
    reason = f" · {escape(row.reason)}" if row.reason else ""
    return text.CARD_ROW.format(
        line=row.line, verb=verb, amount=format_money(row.amount),
        email=escape(row.subaccount_email), reason=fit(reason, 80),
    )  # fmt: skip


def state_line(batch: BatchSnapshot, progress: Progress | None) -> str:
    match batch.status:
        case BatchStatus.PENDING | BatchStatus.DRAFT:
            return str(text.STATE_PENDING)
        case BatchStatus.REJECTED:
            return text.STATE_REJECTED.format(by=batch.decided_by)
        case BatchStatus.CANCELLED:
            return str(text.STATE_CANCELLED)
        case BatchStatus.EXPIRED:
            return str(text.STATE_EXPIRED)
    if progress is None:
        return text.STATE_APPROVED.format(by=batch.decided_by)
    counts = {
        "done": progress.done, "total": progress.total, "ok": progress.succeeded,
        "failed": progress.failed, "unknown": progress.unknown,
    }  # fmt: skip
    if batch.status is BatchStatus.DONE:
        return text.STATE_DONE.format(**counts)
    return text.STATE_RUNNING.format(**counts)


def results_comment(batch: BatchSnapshot, progress: Progress) -> str:
    return text.RESULTS_COMMENT.format(
        number=batch.number, ok=progress.succeeded, failed=progress.failed,
        unknown=progress.unknown,
    )  # fmt: skip
