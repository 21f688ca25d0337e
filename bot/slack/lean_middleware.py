"""Global middleware called with what it asks for, without Bolt's argument injection.

`app.use(function)` wraps the function in Bolt's AsyncCustomMiddleware, which on every call
builds every argument a listener could ask for — about thirty, each payload shape parsed from
the body again (slack_bolt.kwargs_injection.async_utils) — to hand the function the two or
three it names. Our global middleware run on every request before its ack; in a profile of a
warm burst that building was a tenth of the ack path. Each of them takes only `body`,
`context` and `next_`, so `lean` hands it those directly through Bolt's class-based
middleware (AsyncMiddleware), the form Bolt documents for this.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

ARGUMENTS = ("body", "context", "next_")


class LeanMiddleware(AsyncMiddleware):
    def __init__(self, func: Callable[..., Awaitable[BoltResponse | None]]) -> None:
        names = list(inspect.signature(func).parameters)
        unknown = [name for name in names if name not in ARGUMENTS]
        if unknown:
            raise TypeError(f"{func.__qualname__} asks for {unknown}: only {ARGUMENTS} are given")
        self.func = func
        self._names = names

    async def async_process(
        self,
        *,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],
    ) -> BoltResponse | None:
        given: dict[str, Any] = {"body": req.body, "context": req.context, "next_": next}
        return await self.func(**{name: given[name] for name in self._names})

    @property
    def name(self) -> str:
        return f"LeanMiddleware(func={self.func.__qualname__})"


def lean(func: Callable[..., Awaitable[Any]]) -> LeanMiddleware:
    return LeanMiddleware(func)
