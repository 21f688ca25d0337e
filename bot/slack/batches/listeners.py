"""`/partner batch`: the form, its check, the confirmation, and the card's buttons. Each
listener makes one service call on `Batches`; what it reports is drawn by views.py."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from bot.i18n import _
from bot.partner.models import Product
from bot.services.batches.errors import (
    BatchDecided,
    BatchInvalid,
    BatchQuestions,
)
from bot.services.batches.model import BatchSnapshot
from bot.services.batches.rows import read_rows
from bot.services.batches.service import Batches
from bot.services.partner_access import NoSubaccounts
from bot.slack.batches import deciding, marking
from bot.slack.batches import texts as text
from bot.slack.batches.files import MAX_BYTES, FileProblem, fetch_csv
from bot.slack.batches.notices import SlackBatchNotices
from bot.slack.batches.parsing import OpenBatch
from bot.slack.batches.views import (
    APPROVE,
    CONFIRM,
    FORM,
    IN_FORM,
    MARK,
    MARK_FORM,
    REJECT,
    REJECT_FORM,
    batch_form,
    problems_view,
    questions_view,
    reject_form,
    reject_title,
    sent_view,
    summary,
    title,
)
from bot.slack.blocks import form_state, form_text
from bot.slack.context import Services, SlashCommand, workspace_of
from bot.slack.directory import SlackDirectory
from bot.slack.membership import check_member
from bot.slack.modals import ack_working, open_first, replace_working
from bot.slack.views.modal import message_view


async def open_batch(parsed: OpenBatch, call: SlashCommand) -> None:
    product = parsed.product

    def form() -> View:
        if not product.has_subaccounts:
            raise NoSubaccounts(product)  # said in the modal, once the asker is checked
        return batch_form(product)

    await open_first(call.client, call.context, call.trigger_id, title(), form, callback_id=FORM)


async def _rows_text(
    client: AsyncWebClient, view: dict[str, Any]
) -> tuple[str | None, str, dict[str, str]]:
    """The rows as text, where they came from, or the form's errors by block."""
    files = form_state(view, "file").get("files") or []
    pasted = form_text(view, "rows", multiline=True)
    if not files and not pasted:
        return None, "", {"rows": str(text.NEITHER)}
    if files and pasted:
        return None, "", {"rows": str(text.BOTH)}
    if pasted:
        return pasted, _("pasted rows"), {}
    file = files[0]
    try:
        return await fetch_csv(client, str(file.get("id"))), str(file.get("name") or "CSV"), {}
    except FileProblem as problem:
        words = {
            "scope": str(text.FILES_SCOPE),
            "too_big": text.FILE_TOO_BIG.format(most=f"{MAX_BYTES // 1024} KB"),
            "unreadable": str(text.FILE_UNREADABLE),
        }
        said = words.get(problem.kind) or text.FILE_NOT_FETCHED.format(why=problem.detail)
        return None, "", {"file": said}


async def batch_submitted(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    context: dict[str, Any],
    batches: Batches,
    directory: SlackDirectory,
    services: Services,
) -> None:
    team_id, user_id = workspace_of(context), body["user"]["id"]
    rows_text, source, errors = await _rows_text(client, view)
    if rows_text is not None:
        # The rows' shapes, every one, in the form itself: nothing asked of the vendor yet.
        read = read_rows(rows_text)
        if read.errors:
            block = "rows" if form_text(view, "rows") else "file"
            errors = {block: summary(read.errors, IN_FORM)}
    if errors or rows_text is None:
        await ack(response_action="errors", errors=errors)
        return
    external_id = await ack_working(ack, context, title(), str(text.CHECKING))
    product = Product(json.loads(view.get("private_metadata") or "{}").get("product", "sms"))
    try:
        batch = await batches.ask(team_id, user_id, product, rows_text, source, directory)
    except BatchInvalid as invalid:
        await replace_working(client, external_id, problems_view(invalid.problems))
        return
    except BatchQuestions as asked:
        await replace_working(client, external_id, questions_view(asked.draft, asked.questions))
        return
    await _send_for_approval(client, services, batch, external_id)


async def batch_confirmed(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    context: dict[str, Any],
    batches: Batches,
    services: Services,
) -> None:
    team_id, user_id = workspace_of(context), body["user"]["id"]
    external_id = await ack_working(ack, context, title())
    try:
        number = int(json.loads(view.get("private_metadata") or "{}")["batch"])
        batch = await batches.confirm(team_id, number, user_id)
    except (ValueError, KeyError, TypeError, BatchDecided):
        message = message_view(title(), str(text.DECIDED.format(number="?")))
        await replace_working(client, external_id, message)
        return
    await _send_for_approval(client, services, batch, external_id)


async def _send_for_approval(
    client: AsyncWebClient, services: Services, batch: BatchSnapshot, external_id: str
) -> None:
    policy = await services.policies.get(batch.team_id)
    channel_id = policy.approvals_channel_id
    assert channel_id is not None  # Batches.ask refuses without one
    try:
        await SlackBatchNotices(client, services).post_card(batch, channel_id)
    except SlackApiError as refused:
        # Said in the working view by the error handler; the batch does not wait unseen.
        await services.batches.withdraw(batch.id, str(refused.response.get("error")))
        raise
    await replace_working(client, external_id, sent_view(batch, channel_id))


async def approve_clicked(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    context: dict[str, Any],
    respond: AsyncRespond,
    directory: SlackDirectory,
    services: Services,
) -> None:
    """On the card, in `/partner approvals` or on the Home: the same buttons, one service call."""
    await ack()
    await check_member(context)
    team_id, user_id = workspace_of(context), body["user"]["id"]
    answer = deciding.answer_for(respond, client, user_id)
    await deciding.approve(
        services, client, answer, team_id, user_id, deciding.number_of(action), directory,
        on_card=deciding.on_the_card(body),
    )  # fmt: skip


async def reject_clicked(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    context: dict[str, Any],
) -> None:
    """The reason first, in a modal (the trigger_id lives 3 s): the service decides on submit."""
    await ack()
    number = deciding.number_of(action)
    await open_first(
        client, context, body["trigger_id"], reject_title(number),
        lambda: reject_form(number), callback_id=REJECT_FORM,
    )  # fmt: skip


async def reject_submitted(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    context: dict[str, Any],
    directory: SlackDirectory,
    services: Services,
) -> None:
    team_id, user_id = workspace_of(context), body["user"]["id"]
    reason = form_text(view, "reason", multiline=True)
    number = int(json.loads(view.get("private_metadata") or "{}").get("batch", 0))
    external_id = await ack_working(ack, context, reject_title(number))
    said = await deciding.reject(services, client, team_id, user_id, number, reason, directory)
    await replace_working(client, external_id, message_view(title(), said))


def register(app: AsyncApp) -> None:
    app.view(FORM)(batch_submitted)
    app.view(CONFIRM)(batch_confirmed)
    app.action(APPROVE)(approve_clicked)
    app.action(REJECT)(reject_clicked)
    app.view(REJECT_FORM)(reject_submitted)
    app.action(MARK)(marking.mark_clicked)
    app.view(MARK_FORM)(marking.mark_submitted)
