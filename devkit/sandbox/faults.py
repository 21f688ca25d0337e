"""Faults the sandbox plays instead of (or around) the vendor: latency, broken bodies, dropped
connections, rate limits, paging bugs."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from enum import StrEnum

from aiohttp import web

from bot.partner.models import Product
from devkit.sandbox.wire import Reply


class FaultKind(StrEnum):
    LATENCY = "latency"
    HTTP_500 = "http_500"
    HTML_PAGE = "html_page"
    EMPTY_BODY = "empty_body"
    INVALID_JSON = "invalid_json"
    HANG = "hang"
    HTTP_429 = "http_429"
    DROP_AFTER_APPLY = "drop_after_apply"
    DROP_BEFORE_APPLY = "drop_before_apply"
    REPEAT_PAGE = "repeat_page"
    EMPTY_PAGE = "empty_page"


# Faults that answer (or hang up) in place of the vendor: nothing is applied.
INSTEAD_OF_VENDOR = frozenset(
    {
        FaultKind.HTTP_500,
        FaultKind.HTML_PAGE,
        FaultKind.EMPTY_BODY,
        FaultKind.INVALID_JSON,
        FaultKind.HANG,
        FaultKind.HTTP_429,
        FaultKind.DROP_BEFORE_APPLY,
    }
)
# Paging bugs only make sense on the list endpoint; they must not be used up elsewhere.
PAGING_FAULTS = frozenset({FaultKind.REPEAT_PAGE, FaultKind.EMPTY_PAGE})
LIST_ENDPOINT = "/subaccount/list"


@dataclass
class Fault:
    kind: FaultKind
    product: Product | None = None
    endpoint: str | None = None
    method: str | None = None
    times: int | None = 1
    delay: float = 0.0
    retry_after: str = "1"
    until: asyncio.Event | None = None
    """LATENCY: the vendor answers once this is set (the test's barrier), not after `delay`."""

    def matches(self, product: Product, endpoint: str, method: str) -> bool:
        if self.times is not None and self.times <= 0:
            return False
        if self.kind in PAGING_FAULTS and endpoint != LIST_ENDPOINT:
            return False
        return (
            (self.product is None or self.product is product)
            and (self.endpoint is None or self.endpoint == endpoint)
            and (self.method is None or self.method.upper() == method)
        )


_BAD_GATEWAY_PAGE = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)


def fault_reply(fault: Fault) -> Reply:
    """The canned answer of a fault that replaces the vendor's answer."""
    kind = fault.kind
    if kind is FaultKind.HTTP_500:
        return Reply.text(500, "Internal Server Error")
    if kind is FaultKind.HTML_PAGE:
        return Reply.text(502, _BAD_GATEWAY_PAGE, content_type="text/html")
    if kind is FaultKind.EMPTY_BODY:
        return Reply(200, b"")
    if kind is FaultKind.INVALID_JSON:
        return Reply(200, b'{"success": tru')
    if kind is FaultKind.HTTP_429:
        return Reply.text(429, "Too Many Requests", headers={"Retry-After": fault.retry_after})
    raise ValueError(f"{kind} has no canned answer")


def drop_connection(request: web.Request) -> web.Response:
    """Hang up without sending a single response byte.

    Closing the transport first makes aiohttp's attempt to write the returned response
    fail quietly (it treats it as a premature client disconnection), so the client sees
    the connection die, as after a proxy reset.
    """
    transport = request.transport
    if transport is not None:
        transport.close()
    return web.Response(status=204)
