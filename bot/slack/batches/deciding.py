"""Approving and rejecting a batch, wherever it is asked: the card's buttons, the same buttons
in `/partner approvals` and on the Home, and `/partner approve|reject <n>` typed (numbers
come from the requests' sequence, so a number is a request's or a batch's, never both)."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.services.batches.errors import ApprovedAlready, BatchDecided, OwnBatch
from bot.services.batches.model import BatchStatus
from bot.services.directory import Directory
from bot.services.errors import NotAllowed
from bot.services.four_eyes import AppointedByAsker
from bot.slack.batches import texts as text
from bot.slack.batches.notices import SlackBatchNotices
from bot.slack.batches.views import state_line
from bot.slack.context import Services
from bot.slack.replies import DirectReply, Ephemeral
from bot.slack.views.reply import plain_reply

REFUSED = (OwnBatch, NotAllowed, AppointedByAsker, BatchDecided, ApprovedAlready)


async def approve(
    services: Services,
    client: AsyncWebClient,
    answer: Ephemeral,
    team_id: str,
    user_id: str,
    number: int,
    directory: Directory,
    *,
    on_card: bool = False,
) -> None:
    """Count the approval; once approved, carry the batch out in this task (a process stopped
    meanwhile leaves its lease to pass, and maintenance goes on: bot/services/batches/running.py).
    Said to the approver unless they clicked on the card itself, which shows it."""
    try:
        batch = await services.batches.approve(team_id, number, user_id, directory)
    except REFUSED as refused:
        await answer(plain_reply(refusal(refused, number)))
        return
    notices = SlackBatchNotices(client, services)
    await notices.redraw(batch)
    if not on_card:
        if batch.status is BatchStatus.PENDING:
            said = text.COUNTED.format(
                number=number, given=len(batch.approvers), count=batch.approvals_needed
            )
        else:
            said = text.APPROVED_RUNS.format(number=number)
        await answer(plain_reply(said))
    if batch.status is BatchStatus.APPROVED:
        await services.batches.run(batch.id, notices)


async def reject(
    services: Services,
    client: AsyncWebClient,
    team_id: str,
    user_id: str,
    number: int,
    reason: str,
    directory: Directory,
) -> str:
    """Refuse (or, by its requester, withdraw) the batch; what to tell whoever asked."""
    try:
        batch = await services.batches.reject(team_id, number, user_id, reason, directory)
    except (NotAllowed, BatchDecided) as refused:
        return refusal(refused, number)
    notices = SlackBatchNotices(client, services)
    await notices.redraw(batch)
    if batch.status is BatchStatus.REJECTED:  # a requester withdrawing their own knows it
        await notices.decided(batch)
    return text.DECIDED_TYPED.format(number=number, state=state_line(batch, None))


def answer_for(respond: AsyncRespond, client: AsyncWebClient, user_id: str) -> Ephemeral:
    """Beside what was clicked, or by DM for a click on the Home (no response_url)."""
    if respond.response_url:
        return Ephemeral(respond)
    return Ephemeral(DirectReply(client, user_id))


def on_the_card(body: dict[str, Any]) -> bool:
    """Slack sends the message clicked on only for one in a channel (the card): an ephemeral
    list or the Home tab shows nothing of what the click did."""
    return bool(body.get("message"))


def number_of(action: dict[str, Any]) -> int:
    try:
        return int(str(action.get("value")))
    except ValueError:
        return 0


def refusal(refused: Exception, number: int) -> str:
    match refused:
        case OwnBatch():
            return text.OWN_BATCH.format(number=number)
        case AppointedByAsker():
            return text.APPOINTED.format(number=number)
        case ApprovedAlready():
            return text.ALREADY_YOURS.format(number=number)
        case NotAllowed():
            return str(text.NOT_APPROVER)
    return text.DECIDED.format(number=number)
