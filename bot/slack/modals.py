"""Modals against Slack's clock.

A trigger_id lives 3 s and is good once, and a request must be acknowledged within 3 s, while a
database read, a `users.info` answered 429 (Retry-After: 3), a `usergroups.users.list` (Tier 2)
or a vendor call may take longer. So: every modal opens first (`open_first`: a "Loading…" view,
before any Slack or database call, the membership check included) and is filled after the
checks; a submission is acknowledged first (a "Working…" view) and its result shown after the
slow part.

So a listener that opens a modal does not run the membership check after its ack
(bot.slack.membership.check_member): `open_loading` runs it once the modal is open, and
`ack_working` right after a submission's ack. A `/partner` subcommand that opens one says so in
its table entry (`Subcommand.opens_first`, bot.slack.partner_command).

What was opened or acknowledged is noted in Bolt's context, so the app's one error handler
(bot.slack.error_handler) can put a failure in that modal instead of leaving "Loading…".
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.errors import SlackApiError
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.membership import check_member
from bot.slack.views.modal import loading_view, working_view

log = logging.getLogger(__name__)

# Keys in Bolt's context (a dict) for the error handler.
OPEN_MODAL = "partner_ops_open_modal"
WORKING_MODAL = "partner_ops_working_modal"


# Waits between tries of views.update while Slack has not yet applied the ack (not_found):
# about 3 s in all, longer than Slack takes to apply an ack it has received.
REPLACE_BACKOFF = (0.05, 0.1, 0.2, 0.4, 0.8, 1.5)


@dataclass
class OpenModal:
    """A modal this request opened, with the hash of its latest version."""

    view_id: str
    hash: str | None

    async def show(self, client: AsyncWebClient, view: View) -> bool:
        """Replace the modal with `view`; False when the person has closed it meanwhile."""
        try:
            answer = await client.views_update(view_id=self.view_id, hash=self.hash, view=view)
        except SlackApiError as error:
            if error.response.get("error") != "not_found":
                raise
            log.info("modal %s was closed before it could be filled", self.view_id)
            return False
        self.hash = (answer.get("view") or {}).get("hash")
        return True


async def open_loading(
    client: AsyncWebClient,
    context: dict[str, Any],
    trigger_id: str,
    title: str,
    *,
    callback_id: str = "",
) -> OpenModal:
    """Open a "Loading…" modal now, while the trigger_id is fresh; fill it with `show`."""
    answer = await client.views_open(
        trigger_id=trigger_id, view=loading_view(title, callback_id=callback_id)
    )
    view = answer.get("view") or {}
    modal = OpenModal(view["id"], view.get("hash"))
    context[OPEN_MODAL] = modal
    await check_member(context)  # a refusal is shown in the modal just opened
    return modal


async def open_first(
    client: AsyncWebClient,
    context: dict[str, Any],
    trigger_id: str,
    title: str,
    fill: Callable[[], View | Awaitable[View]],
    *,
    callback_id: str = "",
) -> OpenModal:
    """Open "Loading…" now, then check the member (which sets their language), then replace
    it by `await fill()`. What raises after the open (a refusal, a failed lookup) is shown in
    this modal, in the user's language, by the app's error handler (bot.slack.error_handler)."""
    modal = await open_loading(client, context, trigger_id, title, callback_id=callback_id)
    view = fill()  # built now: in the language the check has just set
    await modal.show(client, await view if inspect.isawaitable(view) else view)
    return modal


async def ack_working(
    ack: AsyncAck,
    context: dict[str, Any],
    title: str,
    message: str | None = None,
    *,
    callback_id: str = "",
) -> str:
    """Acknowledge a view submission with a "Working…" view carrying a fresh external_id,
    and return that id for `replace_working`."""
    external_id = "po-" + secrets.token_hex(12)  # unique per workspace, as Slack requires
    # Noted first: what the membership check may raise goes in this view.
    context[WORKING_MODAL] = external_id
    await ack(
        response_action="update",
        view=working_view(title, external_id, message, callback_id=callback_id),
    )
    await check_member(context)
    return external_id


async def replace_working(client: AsyncWebClient, external_id: str, view: View) -> bool:
    """Replace the "Working…" view acknowledged with `external_id` by the result.

    Slack applies an ack's `update` when our HTTP answer reaches it, and our own views.update
    may get there first. Updating by view_id would then be overwritten by the late ack, and the
    person would stare at "Working…" forever. Only the ack's view carries this external_id, so
    an update by external_id can only ever replace the working view: while the ack is not
    applied yet Slack answers not_found, and we try again, briefly (REPLACE_BACKOFF).
    Returns False when the view never showed up (the person closed the modal).
    """
    for wait in (*REPLACE_BACKOFF, None):
        try:
            await client.views_update(external_id=external_id, view=view)
            return True
        except SlackApiError as error:
            if error.response.get("error") != "not_found":
                raise
        if wait is None:
            break
        await asyncio.sleep(wait)
    log.info("modal %s was closed before its result could be shown", external_id)
    return False
