"""The requests feature's buttons and forms, registered on the app. Its subcommands are
handlers of the `/partner` table (bot.slack.partner_command), in `asking`."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.slack.requests import asking, deciding
from bot.slack.requests.views import (
    APPROVE_ACTION,
    CANCEL_ACTION,
    CONFIRM_SIMILAR_ACTION,
    CREATE_CALLBACK,
    DROP_SIMILAR_ACTION,
    MARK_DONE_ACTION,
    MARK_FAILED_ACTION,
    REJECT_ACTION,
    REJECT_CALLBACK,
)


def register(app: AsyncApp) -> None:
    app.view(CREATE_CALLBACK)(asking.create_submitted)
    app.action(CONFIRM_SIMILAR_ACTION)(asking.confirm_similar)
    app.action(DROP_SIMILAR_ACTION)(asking.drop_similar)
    app.action(APPROVE_ACTION)(deciding.approve)
    app.action(REJECT_ACTION)(deciding.reject)
    app.view(REJECT_CALLBACK)(deciding.reject_reason)
    app.action(CANCEL_ACTION)(deciding.cancel)
    app.action(MARK_DONE_ACTION)(deciding.mark_done)
    app.action(MARK_FAILED_ACTION)(deciding.mark_failed)
