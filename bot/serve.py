"""Long-running processes: `serve` (HTTP) and `socket` (Socket Mode), both with /healthz."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from slack_bolt.async_app import AsyncApp

from bot.app import HEALTH_PATH, build_app, build_web_app, health_handler, services_of
from bot.config import ConfigError, Settings, SlackMode
from bot.periodic import run_every
from bot.processes import child_index, settle_garbage_collection
from bot.runtime import Runtime
from bot.shutdown import GRACE_SECONDS
from bot.slack import stores
from bot.slack.clients import WorkspaceClients
from bot.slack.door import CheckedSocketModeHandler
from bot.slack.home.refresh import HomesOfRequests
from bot.slack.maintenance import Maintenance
from bot.slack.scheduler import Scheduler

log = logging.getLogger(__name__)


class PathOnlyAccessLogger(AbstractAccessLogger):
    """Access lines without query strings: OAuth redirects carry a one-time code there."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info(
            "%s %s %s %d %.0f ms",
            request.remote,
            request.method,
            request.path,
            response.status,
            time * 1000,
        )


@dataclass
class Background:
    """The periodic jobs of a process: `finish` lets the round under way end, `stop_task`
    cancels at once."""

    task: asyncio.Task[None]
    stopping: asyncio.Event = field(default_factory=asyncio.Event)


def start_maintenance(
    app: AsyncApp, runtime: Runtime, *, scheduler: bool | None = None, rounds: bool = True
) -> Background | None:
    """Expiry and recovery in the background; the first round runs at once, so requests a
    crash left executing are picked up at start (once their lease has run out). `rounds`
    False (the end-to-end tests, which run `Maintenance` where they test it): no round at all,
    and the Homes still follow what changes the requests."""
    clients = WorkspaceClients.of(runtime, app.installation_store)
    if not rounds:
        _watch_homes(runtime, clients)
        return None
    return _start_background(runtime, clients, scheduler=scheduler)


def _watch_homes(runtime: Runtime, clients: WorkspaceClients) -> None:
    # Expiries and recoveries update the Homes too, whoever runs them (once per process's
    # services).
    runtime.requests.watch(HomesOfRequests(services_of(runtime), clients))


def _start_background(
    runtime: Runtime, clients: WorkspaceClients, *, scheduler: bool | None = None
) -> Background:
    """Maintenance always; the scheduler (digests, snapshots, alerts) too when asked, or by
    default on SQLite, where one process is all there is. On PostgreSQL `worker` runs it."""
    settings = runtime.settings
    stopping = asyncio.Event()
    _watch_homes(runtime, clients)
    jobs = [
        run_every(
            settings.maintenance_interval_seconds,
            Maintenance(runtime, clients).run_once,
            "maintenance",
            stopping,
            give_way=runtime.inflight.after_acks,
        )
    ]
    if scheduler or (scheduler is None and runtime.database.is_sqlite):
        jobs.append(
            run_every(
                settings.scheduler_interval_seconds,
                Scheduler(runtime, clients).run_once,
                "scheduler",
                stopping,
                give_way=runtime.inflight.after_acks,
            )
        )

    async def run_all() -> None:
        await asyncio.gather(*jobs)

    return Background(asyncio.create_task(run_all(), name="partner-ops-background"), stopping)


async def work(settings: Settings) -> None:
    """`python -m bot worker`: digests, snapshots, alerts, expiry and recovery, no HTTP."""
    runtime = await Runtime.start(settings)
    task = None
    try:
        store = (
            stores.installation_store(runtime)
            if runtime.mode is SlackMode.MANY_WORKSPACES
            else None
        )
        task = _start_background(runtime, WorkspaceClients(runtime, store), scheduler=True)
        frozen = settle_garbage_collection()
        log.info(
            "Partner Ops worker (%s) running; %d objects of its start frozen out of garbage "
            "collection, the youngest collected every %d allocations",
            runtime.mode.value,
            frozen,
            gc.get_threshold()[0],
        )
        await _until_stopped()
        log.info("stopping: letting the jobs under way finish")
    finally:
        await finish(task)
        await runtime.close()


async def stop_task(task: Background | asyncio.Task[None] | None) -> None:
    """Cancel at once (tests, the console)."""
    if isinstance(task, Background):
        task = task.task
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def finish(background: Background | None, grace: float = GRACE_SECONDS) -> None:
    """Start no new round; let the rounds under way end (within `grace`), then cancel."""
    if background is None:
        return
    background.stopping.set()
    done, _ = await asyncio.wait({background.task}, timeout=grace)
    if not done:
        log.warning("background jobs still running after %.0f s: cancelled", grace)
    await stop_task(background)


async def drain_site(runner: web.AppRunner, runtime: Runtime) -> None:
    """Stop listening, answer 503 to any request still arriving on an open connection, and
    wait for the requests and listeners under way (bounded)."""
    runtime.inflight.draining = True
    for site in list(runner.sites):
        await site.stop()
    await runtime.inflight.drain()


async def start_site(
    web_app: web.Application, host: str, port: int, *, reuse_port: bool = False
) -> web.AppRunner:
    runner = web.AppRunner(web_app, access_log_class=PathOnlyAccessLogger)
    await runner.setup()
    await web.TCPSite(runner, host, port, reuse_port=reuse_port or None).start()
    return runner


async def prepare(settings: Settings) -> None:
    """What `serve` does once at start that must not be done by several processes at once:
    migrations on SQLite, the generated key file (bot.runtime)."""
    runtime = await Runtime.start(settings)
    await runtime.close()


async def serve(settings: Settings) -> None:
    runtime = await Runtime.start(settings)
    runner = None
    maintenance = None
    index = child_index()
    try:
        app = build_app(runtime)
        # In a group (bot.processes) the first process alone runs what `serve` runs beside
        # the HTTP site on SQLite; on PostgreSQL `worker` does, as with one process.
        maintenance = start_maintenance(app, runtime, scheduler=None if not index else False)
        runner = await start_site(
            build_web_app(app, runtime),
            settings.host,
            settings.port,
            reuse_port=index is not None,
        )
        frozen = settle_garbage_collection()
        log.info(
            "Partner Ops (%s) listening on %s port %d: /slack/events, %s; %d objects of its "
            "start frozen out of garbage collection, the youngest collected every %d allocations",
            runtime.mode.value,
            settings.host,
            settings.port,
            HEALTH_PATH,
            frozen,
            gc.get_threshold()[0],
        )
        await _until_stopped()
        log.info("stopping: no new requests; waiting for the ones under way")
    finally:
        if runner is not None:
            await drain_site(runner, runtime)
        await finish(maintenance)
        if runner is not None:
            await runner.cleanup()
        await runtime.close()


async def socket(settings: Settings) -> None:
    if settings.slack_app_token is None:
        raise ConfigError("Socket Mode needs SLACK_APP_TOKEN (an app-level token, xapp-…).")
    runtime = await Runtime.start(settings)
    try:
        async with socket_mode(runtime, settings.host, settings.port):
            log.info(
                "Partner Ops (%s) connected over Socket Mode; %s on port %d",
                runtime.mode.value,
                HEALTH_PATH,
                settings.port,
            )
            await _until_stopped()
    finally:
        await runtime.close()


@contextlib.asynccontextmanager
async def socket_mode(
    runtime: Runtime, host: str, port: int, *, scheduler: bool | None = None
) -> AsyncIterator[web.AppRunner]:
    """The same app over Socket Mode, with /healthz served on `port`; yields the health site."""
    token = runtime.settings.slack_app_token
    assert token is not None
    app = build_app(runtime)
    maintenance = start_maintenance(app, runtime, scheduler=scheduler)
    health = web.Application()
    health.router.add_get(HEALTH_PATH, health_handler(runtime))
    runner = await start_site(health, host, port)
    handler = CheckedSocketModeHandler(app, token.get_secret_value())
    try:
        await handler.connect_async()
        yield runner
    finally:
        await handler.close_async()  # no new envelopes
        await runtime.inflight.drain()
        await finish(maintenance)
        await runner.cleanup()


async def _until_stopped() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()
