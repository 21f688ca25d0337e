"""The real app running between the two fakes: the one way the console and the tests build it.

A stack is the product as `python -m bot serve` runs it — `Runtime` (database, services),
the Bolt app, its aiohttp site on a loopback port, the maintenance jobs — with Slack played by
a `FakeSlack` and, when the Partner URLs point at it, the vendors played by a `Sandbox`, plus a
`SlackDriver` that sends the app signed requests as Slack does.

The fake and the sandbox are started by the caller and handed in: both the console and the
tests fill them (workspaces, users, channels, saved accounts) before the app starts, and may
outlive one app (a test restarting the app on the same Slack). `settings_for_stack` turns them
into the settings the app reads.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from pydantic import SecretStr
from slack_bolt.async_app import AsyncApp

from bot.app import build_app, build_web_app
from bot.config import Settings, SlackMode
from bot.partner.models import Product
from bot.runtime import Runtime
from bot.serve import Background, drain_site, start_maintenance, start_site, stop_task
from devkit.emulator import FakeSlack, SlackDriver
from devkit.sandbox import DEMO_KEYS, Sandbox

__all__ = ["Stack", "partner_values", "running_stack", "slack_values"]


def slack_values(fake: FakeSlack, *, signing_secret: str) -> dict[str, Any]:
    """Settings that point the app at the fake Slack and let it check the driver's signatures."""
    return {"slack_signing_secret": SecretStr(signing_secret), "slack_api_url": fake.api_url}


def partner_values(sandbox: Sandbox, *, demo_keys: bool = True) -> dict[str, Any]:
    """Settings that point the app at the sandbox for the three products; with `demo_keys`, the
    sandbox's demo accounts as the operator's own keys (as from the environment)."""
    values: dict[str, Any] = {f"{p.value}_partner_url": sandbox.url(p) for p in Product}
    if demo_keys:
        values |= {f"{p.value}_partner_api_key": SecretStr(DEMO_KEYS[p]) for p in Product}
    return values


@dataclass
class Stack:
    fake: FakeSlack
    sandbox: Sandbox | None
    runtime: Runtime
    app: AsyncApp
    driver: SlackDriver
    root_url: str  # the app's site: /slack/events, /healthz, /slack/install…
    maintenance: Background | None
    runner: web.AppRunner

    @classmethod
    async def start(
        cls,
        settings: Settings,
        fake: FakeSlack,
        sandbox: Sandbox | None,
        *,
        signing_secret: str,
        mode: SlackMode | None = None,
        migrate: bool | None = None,
        scheduler: bool | None = None,
        background: bool = True,
        prepare: Callable[[Runtime], Awaitable[None]] | None = None,
    ) -> Stack:
        """Start the app on `settings` (see `slack_values`, `partner_values`). `scheduler`
        False: digests and alerts run only where a test drives them; `background` False: no
        periodic round at all, maintenance included (the end-to-end tests run `Maintenance`
        where they test it: a round at each app's start, on an empty database, was about a
        quarter of a short test's time). `prepare` runs once the database is ready, before the
        app serves (the console seeds its demo policy there)."""
        runtime = await Runtime.start(settings, mode=mode, migrate=migrate)
        maintenance: Background | None = None
        runner: web.AppRunner | None = None
        try:
            if prepare is not None:
                await prepare(runtime)
            app = build_app(runtime)
            maintenance = start_maintenance(app, runtime, scheduler=scheduler, rounds=background)
            runner = await start_site(build_web_app(app, runtime), "127.0.0.1", 0)
            root_url = f"http://127.0.0.1:{runner.addresses[0][1]}"
            driver = SlackDriver(
                fake, app_url=f"{root_url}/slack/events", signing_secret=signing_secret
            )
        except BaseException:
            await _stop(maintenance, runner, runtime)
            raise
        return cls(fake, sandbox, runtime, app, driver, root_url, maintenance, runner)

    async def close(self) -> None:
        """Stop the app (the fake and the sandbox belong to whoever started them)."""
        try:
            await self.driver.close()
        finally:
            await _stop(self.maintenance, self.runner, self.runtime)


@contextlib.asynccontextmanager
async def running_stack(
    settings: Settings, fake: FakeSlack, sandbox: Sandbox | None, **options: Any
) -> AsyncIterator[Stack]:
    """`Stack.start` … `Stack.close` as a context manager (same options)."""
    stack = await Stack.start(settings, fake, sandbox, **options)
    try:
        yield stack
    finally:
        await stack.close()


async def _stop(
    maintenance: Background | None, runner: web.AppRunner | None, runtime: Runtime
) -> None:
    try:
        if runner is not None:
            # As `serve` stops: the listeners under way finish before the database closes
            # under them (they would fail, unseen, on a closed pool or a closed event loop).
            await drain_site(runner, runtime)
        await stop_task(maintenance)
        if runner is not None:
            await runner.cleanup()
    finally:
        await runtime.close()
