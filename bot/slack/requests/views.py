"""Block Kit for requests: the approval card, the requester's confirmation, lists, modals."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from decimal import Decimal

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.i18n import _
from bot.i18n.times import when
from bot.money import format_money
from bot.services.requests import Action, RequestSnapshot, Status
from bot.slack.blocks import MAX_BUTTON_VALUE, escape, fit, slack_date
from bot.slack.requests import texts as text
from bot.slack.views.reply import Reply

APPROVE_ACTION = "request_approve"
REJECT_ACTION = "request_reject"
CANCEL_ACTION = "request_cancel"
MARK_DONE_ACTION = "request_mark_done"
MARK_FAILED_ACTION = "request_mark_failed"
CONFIRM_SIMILAR_ACTION = "request_confirm_similar"
DROP_SIMILAR_ACTION = "request_drop_similar"
REJECT_CALLBACK = "request_reject_reason"
CREATE_CALLBACK = "subaccount_create"
LIST_LIMIT = 15


def what(request: RequestSnapshot) -> str:
    """The request in a few words, mrkdwn-safe: "add 50.00 EUR to acme@example.com"."""
    subaccount = escape(request.subaccount_email or request.subaccount_token or "?")
    amount = format_money(request.amount) if request.amount is not None else ""
    if request.action is Action.SUBACCOUNT_CREATE and request.amount is not None:
        return text.SHORT_CREATE_WITH_CREDIT.format(subaccount=subaccount, amount=amount)
    return text.SHORT[request.action.value].format(subaccount=subaccount, amount=amount)


def status_line(request: RequestSnapshot) -> str:
    deciders = ", ".join(f"<@{u}>" for u in request.approvers) or (
        str(text.THE_POLICY) if request.auto_approved else "—"
    )
    values = {
        "progress": _progress(request),
        "expires": slack_date(request.expires_at),
        "deciders": deciders,
        "by": str(text.NO_APPROVAL if request.needed_no_approval else text.AUTO)
        if request.auto_approved
        else (text.BY_APPROVERS.format(deciders=deciders) if request.approvers else ""),
        "result": _result(request),
        "note": escape(request.outcome_note or str(text.NO_DETAILS)),
        "decider": request.decided_by or request.requester_id,
        "reason": escape(request.rejection_reason or ""),
        "hours": _hours(request),
    }
    if request.needs_a_person:
        return text.STATUS_UNDECIDABLE.format(**values) + str(text.UNKNOWN_ASK)
    if request.withdrawn_for_key:
        return text.STATUS_KEY_CHANGED.format(product=request.product.label)
    return text.STATUS[request.status.value].format(**values)


def _progress(request: RequestSnapshot) -> str:
    """Where a two-approver request stands, naming who approved first."""
    if request.approvals_needed <= 1:
        return ""
    if not request.approvers:
        needed = request.approvals_needed
        return text.progress_none(needed).format(needed=needed)
    return text.progress(len(request.approvers)).format(
        deciders=", ".join(f"<@{u}>" for u in request.approvers),
        count=len(request.approvers),
        needed=request.approvals_needed,
    )


def request_card(request: RequestSnapshot) -> Reply:
    fields = [
        text.FIELD_REQUESTER.format(user=request.requester_id),
        text.FIELD_PRODUCT.format(product=request.product.label),
    ]
    if request.action is Action.SUBACCOUNT_CREATE:
        fields.append(_new_subaccount_field(request))
    else:
        fields.append(_subaccount_field(request))
    if request.amount is not None:
        fields.append(text.FIELD_AMOUNT.format(amount=format_money(request.amount)))
    returned = _credit_returned(request)
    if returned is not None and not _closed_unmoved(request):
        fields.append(text.FIELD_RETURNED.format(amount=format_money(returned)))
    fields.append(_main_field(request))
    fields.append(
        text.FIELD_REASON.format(
            reason=escape(request.reason) if request.reason else str(text.NO_REASON)
        )
    )
    blocks: list = [
        HeaderBlock(
            text=fit(
                text.HEADER.format(title=text.TITLES[request.action.value], id=request.number), 150
            )
        ),
        SectionBlock(fields=[MarkdownTextObject(text=fit(f, 2000)) for f in fields]),
    ]
    if _read_at_request(request):
        # Nothing re-reads the vendor to redraw a card (a rejection, the worker's expiry):
        # figures of the moment it was asked say when they are from.
        read = text.FIGURES_AS_READ.format(when=slack_date(request.created_at))
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=read)]))
    if request.similar_to_number is not None:
        # Approvers in a hurry should not approve the same thing twice by mistake.
        note = text.SIMILAR_ON_CARD.format(id=request.similar_to_number, user=request.requester_id)
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=fit(note))]))
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=fit(status_line(request)))]))
    buttons = _card_buttons(request)
    if buttons:
        blocks.append(ActionsBlock(block_id=f"request_{request.number}", elements=buttons))
    fallback = text.FALLBACK.format(
        id=request.number,
        product=request.product.label,
        what=what(request),
        status=text.STATE_WORDS[request.status.value],
    )
    return Reply(text=fallback, blocks=blocks)


def submitted_reply(request: RequestSnapshot, channel_id: str) -> Reply:
    message = text.SUBMITTED.format(id=request.number, channel=channel_id, what=what(request))
    return Reply(
        text=message,
        blocks=(
            SectionBlock(text=fit(message)),
            ContextBlock(elements=[MarkdownTextObject(text=str(text.SUBMITTED_HINT))]),
            ActionsBlock(
                block_id=f"request_{request.number}_mine",
                elements=[
                    ButtonElement(
                        text=str(text.CANCEL), action_id=CANCEL_ACTION, value=str(request.number)
                    )
                ],
            ),
        ),
    )


def similar_reply(earlier: RequestSnapshot, ask: dict[str, object]) -> Reply:
    """The requester asked for the same thing as `earlier` moments ago: send it again?"""
    message = text.SIMILAR_ASK.format(
        id=earlier.number,
        what=what(earlier),
        state=text.STATE_WORDS[earlier.status.value],
        when=when(earlier.created_at),
    )
    value = json.dumps({**ask, "similar": earlier.number}, separators=(",", ":"))
    buttons = [
        ButtonElement(
            text=str(text.SIMILAR_DONT_SEND), action_id=DROP_SIMILAR_ACTION, value="drop"
        ),
    ]
    if len(value) <= MAX_BUTTON_VALUE:
        buttons.insert(
            0,
            ButtonElement(
                text=str(text.SIMILAR_SEND_ANYWAY),
                action_id=CONFIRM_SIMILAR_ACTION,
                value=value,
                style="danger",
            ),
        )
    return Reply(
        text=message,
        blocks=(
            SectionBlock(text=fit(message)),
            ActionsBlock(block_id=f"similar_{earlier.number}", elements=buttons),
        ),
    )


def ran_now_reply(request: RequestSnapshot) -> Reply:
    """A request carried out at once (auto-approved, or moving no money): what happened."""
    template = text.RAN_WITHOUT_APPROVAL if request.needed_no_approval else text.RAN_NOW
    message = template.format(id=request.number, what=what(request))
    return Reply(
        text=message,
        blocks=(
            SectionBlock(text=fit(message)),
            ContextBlock(elements=[MarkdownTextObject(text=fit(status_line(request)))]),
        ),
    )


def cancelled_reply(request: RequestSnapshot) -> Reply:
    message = text.CANCELLED.format(id=request.number)
    return Reply(text=message, blocks=(SectionBlock(text=message),))


def requester_dm(request: RequestSnapshot) -> Reply | None:
    template = text.DM.get(request.status.value)
    if request.withdrawn_for_key:
        template = text.DM_KEY_CHANGED
    if template is None or (request.status is Status.UNKNOWN and not request.needs_a_person):
        return None  # still being checked: the requester hears when it is settled
    message = template.format(
        id=request.number,
        what=what(request),
        product=request.product.label,
        result=_result(request),
        note=escape(request.outcome_note or str(text.NO_DETAILS)),
        decider=request.decided_by or "",
        reason=escape(request.rejection_reason or ""),
        hours=_hours(request),
    )
    if request.reason:
        message += text.DM_REASON.format(reason=escape(request.reason))
    return Reply(text=message, blocks=(SectionBlock(text=fit(message)),))


def already_message(request: RequestSnapshot) -> str:
    by = ""
    decider = request.decided_by or (request.approvers[-1] if request.approvers else None)
    if decider and request.status not in (Status.EXPIRED, Status.PENDING):
        by = text.ALREADY_BY.format(user=decider)
    return text.ALREADY[request.status.value].format(id=request.number, by=by)


def request_list(
    title: object,
    requests: Sequence[RequestSnapshot],
    empty: object,
    decides: Callable[[RequestSnapshot], bool] = lambda _request: False,
) -> Reply:
    """`title` and `empty`: texts (bot.i18n lazy ones too), shown in the current language.
    A request the reader `decides` gets the card's own buttons (same action_id and value), so
    the card's listeners decide it, exactly once, wherever the click comes from."""
    title, empty = str(title), str(empty)
    if not requests:
        return Reply(text=empty, blocks=(SectionBlock(text=empty),))
    shown = requests[:LIST_LIMIT]
    blocks: list = [HeaderBlock(text=title)]
    for request in shown:
        row = text.LIST_ROW.format(
            id=request.number,
            what=what(request),
            requester=request.requester_id,
            state=text.STATE_WORDS[request.status.value],
            when=when(request.created_at),
        )
        blocks.append(SectionBlock(text=fit(row)))
        buttons = _card_buttons(request) if decides(request) else []
        if buttons:
            blocks.append(ActionsBlock(block_id=f"request_{request.number}", elements=buttons))
    if len(requests) > LIST_LIMIT:
        blocks.append(
            ContextBlock(
                elements=[
                    MarkdownTextObject(text=text.list_more(LIST_LIMIT).format(shown=LIST_LIMIT))
                ]
            )
        )
    return Reply(text=title, blocks=blocks)


def _card_buttons(request: RequestSnapshot) -> list[ButtonElement]:
    value = str(request.number)
    if request.status is Status.PENDING:
        return [
            ButtonElement(
                text=_(text.APPROVE), action_id=APPROVE_ACTION, value=value, style="primary"
            ),
            ButtonElement(
                text=_(text.REJECT), action_id=REJECT_ACTION, value=value, style="danger"
            ),
        ]
    if request.needs_a_person:
        return [
            ButtonElement(text=str(text.MARK_DONE), action_id=MARK_DONE_ACTION, value=value),
            ButtonElement(
                text=str(text.MARK_FAILED),
                action_id=MARK_FAILED_ACTION,
                value=value,
                style="danger",
            ),
        ]
    return []


def _subaccount_field(request: RequestSnapshot) -> str:
    field = text.FIELD_SUBACCOUNT.format(
        email=escape(request.subaccount_email or request.subaccount_token or "?"),
        id=text.SUBACCOUNT_ID.format(id=request.subaccount_id) if request.subaccount_id else "",
    )
    balance = _decimal(request.details.get("sub_at_request"))
    if request.subaccount_balance_after is not None:
        balance = request.subaccount_balance_after
    if balance is not None:
        field += text.FIELD_SUBACCOUNT_BALANCE.format(balance=format_money(balance))
    return field


def _new_subaccount_field(request: RequestSnapshot) -> str:
    details = request.details
    names = " ".join(escape(details[k]) for k in ("firstname", "lastname") if details.get(k))
    kind = str(details.get("type", "simple"))
    return (
        text.FIELD_SUBACCOUNT.format(
            email=escape(request.subaccount_email or str(text.EMAIL_BY_VENDOR)), id=""
        )
        + "\n"
        + text.NEW_SUBACCOUNT_LINE.format(
            kind=escape(str(text.KINDS[kind]) if kind in text.KINDS else kind),
            buyer=str(text.BUYER) if details.get("is_buyer") else "",
            names=f" · {names}" if names else "",
        )
    )


def _credit_returned(request: RequestSnapshot) -> Decimal | None:
    """What a deletion gives back to the main account: the subaccount's credit, as measured
    by the main balance around the call once done, else as the subaccount held it."""
    if request.action is not Action.SUBACCOUNT_DELETE:
        return None
    before, after = request.main_balance_before, request.main_balance_after
    if before is not None and after is not None:
        return after - before
    if request.subaccount_balance_before is not None:
        return request.subaccount_balance_before
    return _decimal(request.details.get("sub_at_request"))


def _read_at_request(request: RequestSnapshot) -> bool:
    """The card's balances are those read when it was asked (nothing measured them since)."""
    return request.main_balance_after is None and "main_at_request" in request.details


def _closed_unmoved(request: RequestSnapshot) -> bool:
    """Rejected, cancelled, expired, failed before the call: what was foreseen never happened."""
    return request.status.is_final and request.main_balance_after is None


def _main_field(request: RequestSnapshot) -> str:
    if request.main_balance_after is not None:
        before = request.main_balance_before
        after = format_money(request.main_balance_after)
        if before is not None and format_money(before) == after:
            return text.FIELD_MAIN_NOW.format(now=after)  # e.g. an empty subaccount deleted
        now = format_money(before) if before is not None else "?"
        return text.FIELD_MAIN.format(now=now, after=after)
    now = _decimal(request.details.get("main_at_request"))
    if now is None:
        return text.FIELD_MAIN_NOW.format(now="?")
    if _closed_unmoved(request):
        return text.FIELD_MAIN_NOW.format(now=format_money(now))
    returned = _credit_returned(request)
    if returned:
        return text.FIELD_MAIN.format(now=format_money(now), after=format_money(now + returned))
    if request.amount is None:
        return text.FIELD_MAIN_NOW.format(now=format_money(now))
    after = now + request.amount if request.action is Action.CREDIT_REMOVE else now - request.amount
    return text.FIELD_MAIN.format(now=format_money(now), after=format_money(after))


def _result(request: RequestSnapshot) -> str:
    if request.status is not Status.SUCCEEDED:
        return ""
    if request.created_token:
        return text.RESULT_CREATED.format(token=escape(request.created_token))
    returned = _credit_returned(request)
    if returned is not None and request.main_balance_after is not None:
        return text.RESULT_DELETED.format(
            returned=format_money(returned), main=format_money(request.main_balance_after)
        )
    if returned is not None:
        return text.RESULT_DELETED_UNREAD.format(returned=format_money(returned))
    sub, main = request.subaccount_balance_after, request.main_balance_after
    if sub is not None and main is not None:
        return text.RESULT_BALANCES.format(sub=format_money(sub), main=format_money(main))
    if sub is not None:
        return text.RESULT_SUB.format(sub=format_money(sub))
    return ""


def _hours(request: RequestSnapshot) -> int:
    return round((request.expires_at - request.created_at).total_seconds() / 3600)


def _decimal(value: object) -> Decimal | None:
    return Decimal(str(value)) if value not in (None, "") else None
