"""Settling a batch's unknown rows: the card's button opens a form listing them; an approver
names, from the vendor's dashboard, the rows that went through and those that did not."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from bot.services.batches.delivery import ResultsNotDelivered
from bot.services.batches.errors import OwnBatch
from bot.services.batches.model import RowStatus
from bot.services.batches.service import Batches
from bot.services.errors import NotAllowed
from bot.services.four_eyes import AppointedByAsker
from bot.slack.batches import texts as text
from bot.slack.batches.notices import SlackBatchNotices
from bot.slack.batches.views import MARK_FORM, mark_form, title
from bot.slack.blocks import form_text
from bot.slack.context import Services, workspace_of
from bot.slack.directory import SlackDirectory
from bot.slack.modals import ack_working, open_first, replace_working
from bot.slack.views.modal import message_view

_NUMBERS = re.compile(r"[\s,;]+")

log = logging.getLogger(__name__)


def read_lines(typed: str) -> set[int] | None:
    """`12, 40 41` → {12, 40, 41}; None when anything else is there."""
    parts = [part for part in _NUMBERS.split(typed.strip()) if part]
    if not all(part.isdigit() and len(part) <= 6 for part in parts):
        return None
    return {int(part) for part in parts}


async def mark_clicked(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    context: dict[str, Any],
    batches: Batches,
) -> None:
    await ack()
    team_id = workspace_of(context)
    number = int(str(action.get("value") or 0)) if str(action.get("value")).isdigit() else 0

    async def form() -> View:
        batch = await batches.store.by_number(team_id, number)
        unknown = [r for r in await batches.rows(batch.id) if r.status is RowStatus.UNKNOWN]
        return mark_form(batch, unknown)

    await open_first(client, context, body["trigger_id"], title(), form, callback_id=MARK_FORM)


async def mark_submitted(
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
    number = int(json.loads(view.get("private_metadata") or "{}").get("batch", 0))
    done, failed = read_lines(form_text(view, "done")), read_lines(form_text(view, "failed"))
    errors = {}
    if done is None:
        errors["done"] = str(text.MARK_NOT_NUMBERS)
    if failed is None:
        errors["failed"] = str(text.MARK_NOT_NUMBERS)
    if done is not None and failed is not None:
        if done & failed:
            errors["failed"] = text.MARK_BOTH.format(
                lines=", ".join(map(str, sorted(done & failed)))
            )
        elif not done | failed:
            errors["done"] = str(text.MARK_NONE)
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    assert done is not None and failed is not None
    external_id = await ack_working(ack, context, title())
    try:
        left = await batches.mark_unknown(team_id, number, user_id, done, failed, directory)
    except (OwnBatch, NotAllowed, AppointedByAsker):
        await replace_working(client, external_id, message_view(title(), str(text.NOT_APPROVER)))
        return
    batch = await batches.store.by_number(team_id, number)
    notices = SlackBatchNotices(client, services)
    try:
        await notices.finished(batch, await batches.rows(batch.id))
    except ResultsNotDelivered:  # the card says it all; the fresh CSV is a copy of it
        log.warning("batch %d: fresh results not sent everywhere", batch.id)
    said = str(text.MARKED)
    if left:
        said += "\n" + text.MARK_NOT_UNKNOWN.format(lines=", ".join(map(str, left)))
    await replace_working(client, external_id, message_view(title(), said))
