"""The Home tab's own listeners: publishing it when opened, and its Set up button.

Approve, Reject and Cancel on the Home are the request card's buttons, handled by the card's
listeners (bot.slack.requests.deciding): nothing about deciding lives here.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.context import Services, SlashCommand
from bot.slack.error_handler import answers_errors
from bot.slack.home.publisher import HomePublisher
from bot.slack.home.views import SETUP_ACTION
from bot.slack.setup.listeners import open_setup
from bot.slack.setup.parsing import Setup


async def home_opened(
    event: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient, services: Services
) -> None:
    # The Messages and About tabs send this event too: only the Home is ours to draw.
    if event.get("tab", "home") != "home" or context.team_id is None:
        return
    await HomePublisher(services, client).publish(
        context.team_id, event["user"], opened=True
    )


@answers_errors
async def open_setup_from_home(
    ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
) -> None:
    await ack()
    # The same modal as `/partner setup` (admins only, checked there), from the click's trigger.
    command = {"trigger_id": body["trigger_id"], "user_id": body["user"]["id"]}
    call = SlashCommand(payload=command, respond=context.respond, client=client, context=context)
    await open_setup(Setup(), call)


def register(app: AsyncApp) -> None:
    app.event("app_home_opened")(home_opened)
    app.action(SETUP_ACTION)(open_setup_from_home)
