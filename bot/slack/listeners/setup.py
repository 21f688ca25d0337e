"""`/partner setup`: an admin enters each product's API key in a modal; every key is checked
with the vendor before any is saved, and a refused key is shown in the modal, not saved."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.models.blocks import SectionBlock
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from bot.partner.errors import PartnerFailure
from bot.partner.models import Account, Product
from bot.runtime import Runtime
from bot.services.errors import NotAllowed
from bot.slack.blocks import form_text
from bot.slack.errors import message_for
from bot.slack.permissions import is_workspace_admin
from bot.slack.text import to_plain
from bot.slack.texts import setup as text
from bot.slack.views.setup import (
    KEY_ACTION,
    SETUP_CALLBACK,
    key_block_id,
    setup_checking_view,
    setup_done_view,
    setup_modal,
)

log = logging.getLogger(__name__)


async def open_setup(
    runtime: Runtime, client: AsyncWebClient, command: dict[str, Any], respond: AsyncRespond
) -> None:
    if not await is_workspace_admin(client, command["user_id"]):
        raise NotAllowed(text.ADMINS_ONLY_ACTION, text.ADMINS_ONLY_WHO)
    statuses = await runtime.keys.statuses(command["team_id"])
    await client.views_open(trigger_id=command["trigger_id"], view=setup_modal(statuses))


def entered_keys(view: dict[str, Any]) -> dict[Product, str]:
    entered = {}
    for product in Product:
        value = form_text(view, key_block_id(product), KEY_ACTION)
        if value:
            entered[product] = value
    return entered


def register(app: AsyncApp, runtime: Runtime) -> None:
    @app.view(SETUP_CALLBACK)
    async def submitted(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        user_id = body["user"]["id"]
        team_id = view.get("team_id") or body["team"]["id"]
        entered = entered_keys(view)
        if not entered:
            await ack(
                response_action="errors",
                errors={key_block_id(Product.SMS): text.NOTHING_ENTERED},
            )
            return
        # Checked again at submission: the modal could outlive the person's admin role.
        if not await is_workspace_admin(client, user_id):
            await ack(
                response_action="errors",
                errors={
                    key_block_id(next(iter(entered))): to_plain(
                        message_for(NotAllowed(text.ADMINS_ONLY_ACTION, text.ADMINS_ONLY_WHO))
                    )
                },
            )
            return
        # The vendor may take longer than the 3 s Slack gives an ack: show "checking" now
        # and update the modal when the answers are in.
        await ack(response_action="update", view=setup_checking_view())
        try:
            result = await check_and_save(runtime, team_id, user_id, entered)
        except Exception as error:  # shown in the modal, never lost
            result = _message_view(message_for(error))
        await client.views_update(view_id=view["id"], view=result)


async def check_and_save(
    runtime: Runtime, team_id: str, user_id: str, entered: dict[Product, str]
) -> View:
    products = list(entered)
    answers = await asyncio.gather(
        *(runtime.partner.check_key(p, entered[p]) for p in products), return_exceptions=True
    )
    refused: dict[Product, str] = {}
    accounts: dict[Product, tuple[str, Account]] = {}
    for product, answer in zip(products, answers, strict=True):
        if isinstance(answer, PartnerFailure):
            refused[product] = message_for(answer)
        elif isinstance(answer, BaseException):
            raise answer
        else:
            accounts[product] = (entered[product], answer)
    if refused:
        # All or nothing: one bad key saves none, so nobody is left with a half-applied setup.
        statuses = await runtime.keys.statuses(team_id)
        return setup_modal(statuses, refused=refused)
    await runtime.keys.save(team_id, entered, set_by=user_id)
    log.info(
        "partner keys saved for team %s by %s: %s",
        team_id,
        user_id,
        ", ".join(p.value for p in products),
    )
    return setup_done_view(accounts)


def _message_view(message: str) -> View:
    return View(
        type="modal",
        callback_id=SETUP_CALLBACK,
        title=text.MODAL_TITLE,
        close="Close",
        blocks=[SectionBlock(text=message)],
    )
