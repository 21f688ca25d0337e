"""A request from a workspace where the app is not installed (any more).

Slack stops sending a workspace's commands and events once it sent `app_uninstalled`, but a
late delivery, a replay, or a command racing a reinstall can still come. Bolt's authorization
then finds no installation, logs an ERROR and answers a command with its own apology; this
middleware runs just before it (Bolt's `before_authorize`), asks the same `authorize` (which
keeps its answer for Bolt's own call on the same request), and when nothing is installed
answers a command with one clear line — nothing for events and clicks — and logs one WARNING.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.authorization.async_authorize import AsyncAuthorize
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError

from bot.i18n import DEFAULT, language
from bot.services.languages import UserLocales
from bot.slack.texts import install as text

log = logging.getLogger(__name__)

TOKEN_GONE = frozenset({"invalid_auth", "account_inactive", "token_revoked", "not_authed"})
"""auth.test's answers for a token that no longer works: as good as not installed."""
NO_AUTHORIZATION = frozenset({"url_verification", "ssl_check"})
NO_AUTH_TEST_EVENTS = frozenset({"app_uninstalled", "tokens_revoked", "team_access_revoked"})
"""Bolt authorises these without the store (the installation is going or gone)."""


def not_installed_guard(
    authorize: AsyncAuthorize, user_locales: UserLocales
) -> Callable[..., Awaitable[BoltResponse | None]]:
    async def middleware(
        body: dict[str, Any],
        context: AsyncBoltContext,
        next_: Callable[[], Awaitable[None]],
    ) -> BoltResponse | None:
        if not _authorised_by_store(body) or await _installed(authorize, context):
            await next_()
            return None
        kind = body.get("command") or (body.get("event") or {}).get("type") or body.get("type")
        log.warning(
            "a %s from workspace %s, where the app is not installed: answered, nothing done",
            kind,
            context.team_id,
        )
        if not body.get("command"):
            return BoltResponse(status=200, body="")
        known = user_locales.get(context.team_id or "", context.user_id or "")
        with language(known or DEFAULT):
            return BoltResponse(status=200, body=str(text.NOT_INSTALLED))

    return middleware


def _authorised_by_store(body: dict[str, Any]) -> bool:
    if body.get("type") in NO_AUTHORIZATION:
        return False
    event = body.get("event") if body.get("type") == "event_callback" else None
    return not (isinstance(event, dict) and event.get("type") in NO_AUTH_TEST_EVENTS)


async def _installed(authorize: AsyncAuthorize, context: AsyncBoltContext) -> bool:
    try:
        result = await authorize(
            context=context,
            enterprise_id=context.enterprise_id,
            team_id=context.team_id,
            user_id=context.user_id,
        )
    except SlackApiError as error:
        # Anything but a dead token is Bolt's to report, as it always did.
        return error.response.get("error") not in TOKEN_GONE
    return result is not None
