"""One request and one answer as the vendor logic sees them: the call (product, key, fields),
the vendor's reply or refusal, and the route that serves an endpoint."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.partner.models import Product
from devkit.sandbox.money import to_json

if TYPE_CHECKING:
    from devkit.sandbox.faults import FaultKind


class Refusal(Exception):
    """A vendor error answer: `{"success":false,"code":N,"message":...}`."""

    def __init__(self, code: int, message: str, status: int = 400) -> None:
        super().__init__(code)
        self.code = code
        self.message = message
        self.status = status


@dataclass
class Reply:
    status: int
    body: bytes
    content_type: str = "application/json"
    code: int | None = None
    applied: bool = False
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, payload: dict[str, Any], *, status: int = 200, **kw: Any) -> Reply:
        return cls(status, to_json(payload).encode(), code=payload.get("code"), **kw)

    @classmethod
    def ok(cls, payload: dict[str, Any], **kw: Any) -> Reply:
        return cls.json({"success": True, "code": 200, **payload}, **kw)

    @classmethod
    def refusal(cls, refusal: Refusal) -> Reply:
        body = {"success": False, "code": refusal.code, "message": refusal.message}
        return cls.json(body, status=refusal.status)

    @classmethod
    def text(cls, status: int, text: str, content_type: str = "text/plain", **kw: Any) -> Reply:
        return cls(status, text.encode(), content_type=content_type, **kw)

    def response(self) -> web.Response:
        return web.Response(
            status=self.status,
            body=self.body,
            content_type=self.content_type,
            charset="utf-8",
            headers=self.headers,
        )


def not_found() -> Reply:
    # What aiohttp (and any web server) says for a path it does not route: not vendor JSON.
    return Reply.text(404, "404: Not Found")


@dataclass
class Call:
    """One request as the vendor logic sees it."""

    product: Product
    key: Any  # whatever the client sent as apiKey: may be missing or not a string
    params: dict[str, Any]  # query or body fields, apiKey removed
    fault: FaultKind | None = None


Op = Callable[[Call], Reply]


@dataclass(frozen=True)
class Route:
    product: Product
    method: str
    endpoint: str  # the template journaled and matched by faults, e.g. "/subaccount/list"
    path: str  # the path served below the product prefix
    op: Op
    key_in_path: bool = False


def key_hint(key: Any) -> str:
    # Only long keys get a hint: the last 4 characters of a short string would be the key.
    if isinstance(key, str) and len(key) >= 8:
        return key[-4:]
    return ""


def parse_body(raw: str) -> dict[str, Any]:
    """A JSON object body with exact Decimals; anything else counts as no fields at all."""
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw, parse_float=Decimal, parse_constant=str)
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


async def read_call(request: web.Request, route: Route) -> Call:
    if route.method == "GET":
        params: dict[str, Any] = dict(request.query)
    else:
        params = parse_body(await request.text())
    key = request.match_info["apiKey"] if route.key_in_path else params.pop("apiKey", None)
    params.pop("apiKey", None)
    return Call(route.product, key, params)
