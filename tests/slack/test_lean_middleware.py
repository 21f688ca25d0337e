"""The app's global middleware are called without Bolt's argument injection
(bot.slack.lean_middleware): on every request, before its ack."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from slack_bolt.middleware.async_custom_middleware import AsyncCustomMiddleware

from bot.db.session import Database
from bot.slack.lean_middleware import LeanMiddleware, lean
from devkit.emulator import FakeSlack
from devkit.sandbox import Sandbox
from tests.slack.harness import app_built_with, settings_for


@pytest.mark.parametrize(("many_workspaces", "lean_ones"), [(False, 5), (True, 6)])
async def test_no_middleware_before_an_ack_goes_through_argument_injection(
    database: Database,
    fake_slack: FakeSlack,
    sandbox: Sandbox,
    many_workspaces: bool,
    lean_ones: int,
) -> None:
    """The global ones (and, with many workspaces, the not-installed guard before Bolt's
    authorize), and `/partner`'s own listener middleware."""
    app = await app_built_with(
        settings_for(fake_slack, sandbox, database.url, many_workspaces=many_workspaces)
    )
    middleware = app._async_middleware_list  # what Bolt runs on every request
    assert [m for m in middleware if isinstance(m, AsyncCustomMiddleware)] == []
    assert len([m for m in middleware if isinstance(m, LeanMiddleware)]) == lean_ones
    on_listeners = [m for listener in app._async_listeners for m in listener.middleware]
    assert [m for m in on_listeners if isinstance(m, AsyncCustomMiddleware)] == []
    assert any(isinstance(m, LeanMiddleware) for m in on_listeners)


def test_a_middleware_asking_for_more_is_refused_at_start() -> None:
    async def wants_the_client(
        client: Any, next_: Callable[[], Awaitable[None]]
    ) -> None:  # pragma: no cover — never called
        await next_()

    with pytest.raises(TypeError, match="client"):
        lean(wants_the_client)
