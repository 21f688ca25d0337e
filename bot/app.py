"""Builds the Bolt app for either way of running, and the aiohttp web app that serves it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_bolt.listener.async_listener_start_handler import AsyncListenerStartHandler
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.config import ConfigError, SlackMode
from bot.i18n import LANGUAGES, translations
from bot.runtime import Runtime
from bot.shutdown import InFlight
from bot.slack import stores
from bot.slack.authorize import installation_authorize
from bot.slack.clients import WorkspaceClients, web_client
from bot.slack.context import Services, provide_services
from bot.slack.door import events_handler, oauth_handler
from bot.slack.door_acks import PLACE_HOLDER, DoorAcks
from bot.slack.error_handler import register_error_handler
from bot.slack.home.refresh import HomesOfRequests
from bot.slack.installation_cache import CachedInstallationStore
from bot.slack.lean_matchers import lean_matchers
from bot.slack.lean_middleware import lean
from bot.slack.middleware import skip_redeliveries
from bot.slack.not_installed import not_installed_guard
from bot.slack.oauth import oauth_flow, same_site_state_cookie
from bot.slack.registration import register_listeners
from bot.slack.request_id import tag_request
from bot.slack.respond import respond_through
from bot.slack.workspace_guard import workspace_guard

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
HEALTH_PATH = "/healthz"


class _SameTokenNotice(logging.Filter):
    """AsyncApp reads SLACK_BOT_TOKEN itself and warns, on every start, that the client we
    give it wins over that token; our client is made from that very token, so the warning
    would only teach operators to ignore warnings."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_client_prioritized_and_token_skipped()


_SAME_TOKEN_NOTICE = _SameTokenNotice()


# Bolt names an app it is given no name after its caller's file, found by `inspect.stack()`:
# a walk of every frame reading its source lines, ~85 ms an app (each end-to-end test starts
# one). This is the name it found, so its loggers ("app.py:…") keep their names.
APP_NAME = "app.py"


def build_app(runtime: Runtime) -> AsyncApp:
    settings = runtime.settings
    logging.getLogger("slack_bolt.AsyncApp").addFilter(_SAME_TOKEN_NOTICE)
    if settings.slack_signing_secret is None:
        raise ConfigError(
            "SLACK_SIGNING_SECRET is required to check that requests come from Slack."
        )
    signing_secret = settings.slack_signing_secret.get_secret_value()
    installation_store = None
    if runtime.mode is SlackMode.SINGLE_WORKSPACE:
        assert settings.slack_bot_token is not None
        app = AsyncApp(
            name=APP_NAME,
            signing_secret=signing_secret,
            client=web_client(runtime, settings.slack_bot_token.get_secret_value()),
            process_before_response=False,
        )
    else:
        assert settings.slack_client_id and settings.slack_client_secret
        client = web_client(runtime)
        uncached = stores.installation_store(runtime)
        installation_store = CachedInstallationStore(
            uncached, ttl=settings.installation_cache_seconds
        )
        client_secret = settings.slack_client_secret.get_secret_value()
        authorize = installation_authorize(
            installation_store,
            rotation_store=uncached,
            client_id=settings.slack_client_id,
            client_secret=client_secret,
            client=client,
            claims=runtime.snapshots,
        )
        app = AsyncApp(
            name=APP_NAME,
            signing_secret=signing_secret,
            client=client,
            authorize=authorize,
            # A late command from an uninstalled workspace: one clear line, no Bolt ERROR.
            before_authorize=lean(not_installed_guard(authorize, runtime.user_locales)),
            oauth_flow=oauth_flow(
                AsyncOAuthSettings(
                    client_id=settings.slack_client_id,
                    client_secret=client_secret,
                    scopes=settings.slack_scopes.split(","),
                    install_path=INSTALL_PATH,
                    redirect_uri_path=REDIRECT_PATH,
                    installation_store=installation_store,
                    installation_store_bot_only=True,
                    state_store=stores.oauth_state_store(runtime),
                    state_expiration_seconds=stores.OAUTH_STATE_SECONDS,
                )
            ),
            installation_store=installation_store,
            process_before_response=False,
        )
    # Each through `lean`: given body, context and next_ without Bolt's argument injection.
    app.use(lean(respond_through(runtime.slack_session)))
    app.use(lean(tag_request))
    app.use(lean(skip_redeliveries(runtime.deliveries)))
    # Every command and click: in the authorised workspace, by one of its members.
    app.use(
        lean(
            workspace_guard(
                runtime.audit,
                runtime.user_locales,
                runtime.inflight.track,
                after_acks=runtime.inflight.after_acks,
            )
        )
    )
    services = services_of(runtime)
    app.use(lean(provide_services(services)))
    # Homes follow the requests they show, whatever changed them (here or in Maintenance).
    runtime.requests.watch(
        HomesOfRequests(services, WorkspaceClients.of(runtime, installation_store))
    )
    register_listeners(app, installation_store)
    lean_matchers(app)
    register_error_handler(app)
    # Read the catalogs now: read on first use, the first burst after a start parsed them
    # between its acks.
    for code in LANGUAGES:
        translations(code)
    runner = app.listener_runner
    runner.listener_start_handler = TrackListenerTasks(
        runner.listener_start_handler, runtime.inflight
    )
    return app


def services_of(runtime: Runtime) -> Services:
    return Services(
        settings=runtime.settings,
        keys=runtime.keys,
        partner=runtime.partner,
        roles=runtime.roles,
        requests=runtime.requests,
        batches=runtime.batches,
        snapshots=runtime.snapshots,
        alerts=runtime.alerts,
        digests=runtime.digests,
        settings_changes=runtime.settings_changes,
        languages=runtime.languages,
        policies=runtime.policies,
        audit=runtime.audit,
        home=runtime.home,
        home_viewers=runtime.home_viewers,
        ledger=runtime.ledger,
        incidents=runtime.incidents,
        usage=runtime.usage,
        controls=runtime.controls,
        sweeping=runtime.sweeping,
        turns=runtime.turns,
        recurring=runtime.recurring,
        group_members=runtime.group_members,
        user_locales=runtime.user_locales,
        homes=runtime.homes,
        home_refresh=runtime.home_refresh,
        inflight=runtime.inflight,
    )


class TrackListenerTasks(AsyncListenerStartHandler):
    """Bolt runs each listener in a task of its own after the ack, and keeps no handle on it;
    its start handler runs inside that task, so this is where the task is counted."""

    def __init__(self, inner: AsyncListenerStartHandler, inflight: InFlight) -> None:
        self._inner = inner
        self._inflight = inflight

    async def handle(self, request: AsyncBoltRequest, response: BoltResponse | None) -> None:
        self._inflight.track_current_task(taking_over=request.context.get(PLACE_HOLDER))
        await self._inner.handle(request=request, response=response)


def build_web_app(app: AsyncApp, runtime: Runtime) -> web.Application:
    """The events URL (bot.slack.door: the body read once, a malformed one refused before
    Bolt), install/redirect in OAuth mode, and /healthz."""
    # First, so a request turned away while stopping costs nothing else.
    web_app = web.Application(middlewares=[runtime.inflight.web_middleware()])
    secret = runtime.settings.slack_signing_secret
    assert secret is not None  # build_app refused to start without it
    door_acks = DoorAcks(app, runtime.inflight, runtime.slack_session)
    web_app.router.add_post(EVENTS_PATH, events_handler(app, secret.get_secret_value(), door_acks))
    web_app.router.add_get(HEALTH_PATH, health_handler(runtime))
    if app.oauth_flow is not None:
        oauth = oauth_handler(app.oauth_flow)
        web_app.router.add_get(app.oauth_flow.install_path, oauth)
        web_app.router.add_get(app.oauth_flow.redirect_uri_path, oauth)
        cookie_name = app.oauth_flow.settings.state_cookie_name
        web_app.on_response_prepare.append(same_site_state_cookie(cookie_name))
    return web_app


def health_handler(runtime: Runtime) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def health(_request: web.Request) -> web.Response:
        database_ok = await runtime.database.ping()
        body = {
            "status": "ok" if database_ok else "unavailable",
            "database": database_ok,
            "mode": runtime.mode.value,
            # Tasks alive in the process (this request's among them): the soak bench watches
            # it for leaks. A count only, cheap, and says nothing about any workspace.
            "tasks": len(asyncio.all_tasks()),
        }
        return web.json_response(body, status=200 if database_ok else 503)

    return health
