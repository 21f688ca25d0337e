"""The app's global middleware are called without Bolt's argument injection
(bot.slack.lean_middleware): on every request, before its ack."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from slack_bolt.middleware.async_custom_middleware import AsyncCustomMiddleware

from bot.app import build_app
from bot.db.session import Database
from bot.runtime import Runtime
from bot.slack.lean_middleware import LeanMiddleware, lean
from devkit.emulator import FakeSlack
from devkit.sandbox import Sandbox
from tests.slack.harness import settings_for


async def test_no_global_middleware_goes_through_argument_injection(
    database: Database, fake_slack: FakeSlack, sandbox: Sandbox
) -> None:
    runtime = await Runtime.start(settings_for(fake_slack, sandbox, database.url), migrate=False)
    try:
        app = build_app(runtime)
    finally:
        await runtime.close()
    middleware = app._async_middleware_list  # what Bolt runs on every request
    assert [m for m in middleware if isinstance(m, AsyncCustomMiddleware)] == []
    assert len([m for m in middleware if isinstance(m, LeanMiddleware)]) == 5


def test_a_middleware_asking_for_more_is_refused_at_start() -> None:
    async def wants_the_client(
        client: Any, next_: Callable[[], Awaitable[None]]
    ) -> None:  # pragma: no cover — never called
        await next_()

    with pytest.raises(TypeError, match="client"):
        lean(wants_the_client)
