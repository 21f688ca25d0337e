"""The OAuth install flow: Bolt's, for workspace installs only, with a same-site state cookie."""

from __future__ import annotations

import html
import logging
from collections.abc import Awaitable, Callable

from aiohttp import hdrs, web
from slack_bolt.error import BoltError
from slack_bolt.oauth.async_callback_options import (
    AsyncCallbackOptions,
    AsyncFailureArgs,
    AsyncSuccessArgs,
)
from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store import Installation

from bot.i18n import LANGUAGES, language, normalise
from bot.slack.texts import install as texts

log = logging.getLogger(__name__)


class OrgWideInstallRefused(BoltError):
    """An Enterprise Grid org-wide install: the manifest says `org_deploy_enabled: false`.
    A BoltError, the one kind Bolt's callback hands to the failure handler."""


class WorkspaceOnlyOAuthFlow(AsyncOAuthFlow):
    """Refuses an org-wide install before anything is stored, and gives its token back.

    Slack says whether an install is org-wide only in the oauth.v2.access answer, so the
    check comes after the code exchange: the token Slack just issued is revoked (the org
    would otherwise see an app that never answers) and nothing reaches the store.
    """

    async def store_installation(
        self, request: AsyncBoltRequest, installation: Installation
    ) -> None:
        if installation.is_enterprise_install:
            await self._give_back(installation)
            raise OrgWideInstallRefused(installation.enterprise_id)
        await super().store_installation(request, installation)

    async def _give_back(self, installation: Installation) -> None:
        for token in (installation.bot_token, installation.user_token):
            if not token:
                continue
            try:
                await self.client.auth_revoke(token=token)
            except SlackApiError as error:
                log.warning(
                    "org-wide install of %s refused; its token could not be revoked: %s",
                    installation.enterprise_id,
                    error.response.get("error"),
                )


async def _failure(args: AsyncFailureArgs) -> BoltResponse:
    if isinstance(args.error, OrgWideInstallRefused):
        log.info("refused an org-wide install in enterprise %s", args.error)
        with language(browser_language(args.request.headers.get("accept-language") or [])) as lang:
            title, refused = str(texts.ORG_WIDE_TITLE), str(texts.ORG_WIDE_REFUSED)
        page = (
            f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'>"
            f"<title>{html.escape(title)}</title></head><body>"
            f"<h2>{html.escape(title)}</h2>"
            f"<p>{html.escape(refused)}</p></body></html>"
        )
        return BoltResponse(
            status=403,
            body=page,
            headers={
                "Content-Type": "text/html; charset=utf-8",
                "Set-Cookie": args.settings.state_utils.build_set_cookie_for_deletion(),
            },
        )
    return await args.default.failure(args)


async def _success(args: AsyncSuccessArgs) -> BoltResponse:
    return await args.default.success(args)


def oauth_flow(settings: AsyncOAuthSettings) -> WorkspaceOnlyOAuthFlow:
    settings.callback_options = AsyncCallbackOptions(success=_success, failure=_failure)
    # Its own logger (quieted and redacted by bot.logs), not the app's: Bolt's flow quotes
    # the redirect's query, code and state included.
    return WorkspaceOnlyOAuthFlow(
        settings=settings, logger=logging.getLogger("slack_bolt.oauth.async_oauth_flow")
    )


def same_site_state_cookie(
    cookie_name: str,
) -> Callable[[web.Request, web.StreamResponse], Awaitable[None]]:
    """An aiohttp `on_response_prepare` hook marking the OAuth state cookie `SameSite=Lax`.

    Bolt writes `Secure; HttpOnly` and no SameSite, and its aiohttp adapter rebuilds every
    cookie from scratch (keeping only value, max-age, expires, path, domain, then forcing
    secure and httponly), so an attribute cannot be added upstream. Lax: the browser sends
    the cookie on the top-level redirect back from slack.com (Strict would withhold it) and
    on nothing a third-party page embeds or posts.
    """

    async def mark(_request: web.Request, response: web.StreamResponse) -> None:
        # aiohttp ≥ 3.10 has turned cookies into Set-Cookie headers by the time this runs;
        # older versions turn them after: both are covered.
        morsel = response.cookies.get(cookie_name)
        if morsel is not None:
            morsel["samesite"] = "Lax"
        headers = response.headers.popall(hdrs.SET_COOKIE, [])
        for header in headers:
            if header.startswith(f"{cookie_name}=") and "samesite" not in header.lower():
                header += "; SameSite=Lax"
            response.headers.add(hdrs.SET_COOKIE, header)

    return mark


def browser_language(accept_language: list[str] | tuple[str, ...] | str) -> str:
    """The language we speak that the browser prefers most (its `Accept-Language`, e.g.
    `fr-FR,fr;q=0.9,en;q=0.8`), else English. Bolt's own pages stay in English."""
    values = [accept_language] if isinstance(accept_language, str) else list(accept_language)
    best, best_q = None, 0.0
    for item in ",".join(values).split(","):
        tag, _, params = item.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        head = tag.strip().replace("_", "-").split("-")[0].lower()
        if head in LANGUAGES and q > best_q:
            best, best_q = head, q
    return normalise(best)
