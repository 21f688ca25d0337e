"""Bolt's built-in listener matchers called with the body, without argument injection.

Bolt checks a request against its listeners one after the other until one matches, and calls
each built-in matcher (`app.command`, `app.action`, `app.view`, `app.event`, …) through its
argument injection (slack_bolt.kwargs_injection): every argument a listener could ask for,
about thirty, built to hand the matcher the one it takes, `body` — 9 µs a check, where the
matcher itself takes 0.6. A click matched by the twentieth listener paid for twenty, before
its ack. `lean_matchers` gives each listener the same matcher functions, called with the body
(as `bot.slack.lean_middleware` does for middleware).

Bolt keeps its listeners in `AsyncApp._async_listeners` and offers no public way to reach
them or to register a listener without its built-in matcher: if a later Bolt renames them,
`lean_matchers` raises at start and tests/unit/test_lean_matchers.py fails.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.listener_matcher.async_builtins import AsyncBuiltinListenerMatcher
from slack_bolt.listener_matcher.async_listener_matcher import AsyncListenerMatcher
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse


class LeanMatcher(AsyncListenerMatcher):
    def __init__(self, func: Callable[..., Awaitable[bool]]) -> None:
        self.func = func

    async def async_matches(self, req: AsyncBoltRequest, resp: BoltResponse) -> bool:
        return await self.func(body=req.body)


def lean_matchers(app: AsyncApp) -> int:
    """Every built-in matcher of `app`'s listeners that takes only `body` made lean; returns
    how many were."""
    made = 0
    listeners: list[Any] = app._async_listeners
    for listener in listeners:
        matchers = []
        for matcher in listener.matchers:
            if type(matcher) is AsyncBuiltinListenerMatcher and matcher.arg_names == ["body"]:
                matcher = LeanMatcher(matcher.func)
                made += 1
            matchers.append(matcher)
        listener.matchers = matchers
    return made
