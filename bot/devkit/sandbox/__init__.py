"""A faithful local fake of the SMS, Mail and Voice Partner APIs.

The sandbox serves the endpoints Partner Ops uses, with the vendor's exact answer shapes
(see `/work/shared/partner-api/API.md`), under one aiohttp application:
`/sms/v1/...`, `/mail/v1/...` and `/voice/v1/...`. It keeps accounts in memory, moves
money with `Decimal` only, journals every request it handled and can inject faults
(latency, broken bodies, dropped connections, paging bugs) so the client's tests, the
console demo, the benchmarks and the end-to-end tests all run against the same thing.

API keys travel in query strings and in the Voice URL path, so the aiohttp access log is
switched off and the sandbox writes its own request log without them. Request bodies are
never logged.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import logging
import math
import random
import re
import secrets as secrets_module
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from aiohttp import web

from bot.partner.models import Product

_log = logging.getLogger(__name__)

DEMO_SMS_KEY = "sandbox-sms-demo-4f1c9a2e7b"
DEMO_MAIL_KEY = "sandbox-mail-demo-8d3e5b1c6a"
DEMO_VOICE_KEY = "sandbox-voice-demo-2a7f4c9e1d"
DEMO_KEYS = {Product.SMS: DEMO_SMS_KEY, Product.MAIL: DEMO_MAIL_KEY, Product.VOICE: DEMO_VOICE_KEY}

PER_PAGE = 20
CURRENCY = "EUR"
VOICE_CURRENCY = "€"
VOICE_LIMIT = 5  # requests per window, per key (the vendor documents 5 per minute)
VOICE_WINDOW_SECONDS = 60.0

# Prices that turn a balance into the integer counters `/me` reports. With the vendor's
# example balance (10225.119) they reproduce the example counters exactly.
_SMS_PRICE = Decimal("0.038")
_SMS_ECO_PRICE = Decimal("0.023")
_HLR_PRICE = Decimal("0.005")
_MAIL_PRICE = Decimal("0.038")

_MILLI = Decimal("0.001")
_NUMERIC_TEXT = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
# A HANG fault sleeps this long; stop() cancels it after the runner's shutdown timeout.
_HANG_SECONDS = 3600
_SHUTDOWN_TIMEOUT = 0.25
_DEMO_SEED = 20_240_611
_GENERATED_EMAIL_DOMAIN = {Product.SMS: "smspartner.fr", Product.MAIL: "mailpartner.fr"}
_DELETE_PATHS = ("delete", "remove")


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
_INSTEAD_OF_VENDOR = frozenset(
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
_PAGING_FAULTS = frozenset({FaultKind.REPEAT_PAGE, FaultKind.EMPTY_PAGE})
_LIST_ENDPOINT = "/subaccount/list"


@dataclass
class Fault:
    kind: FaultKind
    product: Product | None = None
    endpoint: str | None = None
    method: str | None = None
    times: int | None = 1
    delay: float = 0.0
    retry_after: str = "1"

    def matches(self, product: Product, endpoint: str, method: str) -> bool:
        if self.times is not None and self.times <= 0:
            return False
        if self.kind in _PAGING_FAULTS and endpoint != _LIST_ENDPOINT:
            return False
        return (
            (self.product is None or self.product is product)
            and (self.endpoint is None or self.endpoint == endpoint)
            and (self.method is None or self.method.upper() == method)
        )


@dataclass
class SandboxSubaccount:
    id: int
    email: str
    type: str
    token: str
    api_key: str
    created_at: datetime
    balance: Decimal
    firstname: str | None = None
    lastname: str | None = None
    title: str | None = None
    is_buyer: bool = False


def _default_voice_details() -> dict[str, Any]:
    # The vendor's example, verbatim (including its 66 seconds).
    return {
        "tts": {"h": 5, "m": 55, "s": 66},
        "tts_fixe": {"h": 3, "m": 44, "s": 55},
        "voice": {"message": 10},
    }


@dataclass
class SandboxAccount:
    product: Product
    api_key: str
    username: str
    firstname: str | None
    lastname: str | None
    balance: Decimal
    subaccounts_enabled: bool = True
    subaccounts: list[SandboxSubaccount] = field(default_factory=list)
    delete_paths: tuple[str, ...] = _DELETE_PATHS
    voice_details: dict[str, Any] = field(default_factory=_default_voice_details)

    def total(self) -> Decimal:
        """Main balance plus every subaccount's: constant under credit moves."""
        return self.balance + sum((s.balance for s in self.subaccounts), Decimal(0))

    def find_subaccount(self, token: str) -> SandboxSubaccount | None:
        return next((s for s in self.subaccounts if s.token == token), None)


@dataclass(frozen=True)
class JournalEntry:
    product: Product
    method: str
    endpoint: str
    key_hint: str
    params: dict[str, Any]
    http_status: int
    code: int | None
    applied: bool
    fault: FaultKind | None


# --------------------------------------------------------------------------- JSON / money


def decimal_literal(value: Decimal) -> str:
    """The shortest exact JSON number for a Decimal: 2869.200 -> 2869.2, 100.000 -> 100."""
    if value == 0:
        return "0"  # also avoids "-0"
    return format(value.normalize(), "f")


def money_text(value: Decimal) -> str:
    """Balances as `/me` and `subaccount/list` show them: a string with 3 decimals."""
    return format(value.quantize(_MILLI), "f")


def to_json(value: Any) -> str:
    """Serialise with Decimals as exact JSON numbers (json.dumps would need a float)."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, Decimal):
        return decimal_literal(value)
    if isinstance(value, int | str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        items = (f"{json.dumps(str(k), ensure_ascii=False)}:{to_json(v)}" for k, v in value.items())
        return "{" + ",".join(items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(to_json(v) for v in value) + "]"
    raise TypeError(f"cannot serialise {type(value).__name__} (floats are not money)")


def parse_amount(raw: Any) -> Decimal | None:
    """A credit given as a JSON number or a numeric string, or None when it is not one.

    Amounts with more than 3 significant decimals are refused (None): the vendor keeps
    balances to the tenth of a cent.
    """
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, Decimal):
        amount = raw
    elif isinstance(raw, str) and _NUMERIC_TEXT.fullmatch(raw.strip()):
        amount = Decimal(raw.strip())
    else:
        return None
    if not amount.is_finite() or amount.normalize().as_tuple().exponent < -3:
        return None
    return amount


def _is_blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _optional_text(raw: Any) -> str | None:
    if _is_blank(raw):
        return None
    return str(raw).strip()


# --------------------------------------------------------------------------- replies


class _Refusal(Exception):
    """A vendor error answer: `{"success":false,"code":N,"message":...}`."""

    def __init__(self, code: int, message: str, status: int = 400) -> None:
        super().__init__(code)
        self.code = code
        self.message = message
        self.status = status


@dataclass
class _Reply:
    status: int
    body: bytes
    content_type: str = "application/json"
    code: int | None = None
    applied: bool = False
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, payload: dict[str, Any], *, status: int = 200, **kw: Any) -> _Reply:
        return cls(status, to_json(payload).encode(), code=payload.get("code"), **kw)

    @classmethod
    def ok(cls, payload: dict[str, Any], **kw: Any) -> _Reply:
        return cls.json({"success": True, "code": 200, **payload}, **kw)

    @classmethod
    def refusal(cls, refusal: _Refusal) -> _Reply:
        body = {"success": False, "code": refusal.code, "message": refusal.message}
        return cls.json(body, status=refusal.status)

    @classmethod
    def text(cls, status: int, text: str, content_type: str = "text/plain", **kw: Any) -> _Reply:
        return cls(status, text.encode(), content_type=content_type, **kw)

    def response(self) -> web.Response:
        return web.Response(
            status=self.status,
            body=self.body,
            content_type=self.content_type,
            charset="utf-8",
            headers=self.headers,
        )


def _not_found() -> _Reply:
    # What aiohttp (and any web server) says for a path it does not route: not vendor JSON.
    return _Reply.text(404, "404: Not Found")


_BAD_GATEWAY_PAGE = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)


def _fault_reply(fault: Fault) -> _Reply:
    """The canned answer of a fault that replaces the vendor's answer."""
    kind = fault.kind
    if kind is FaultKind.HTTP_500:
        return _Reply.text(500, "Internal Server Error")
    if kind is FaultKind.HTML_PAGE:
        return _Reply.text(502, _BAD_GATEWAY_PAGE, content_type="text/html")
    if kind is FaultKind.EMPTY_BODY:
        return _Reply(200, b"")
    if kind is FaultKind.INVALID_JSON:
        return _Reply(200, b'{"success": tru')
    if kind is FaultKind.HTTP_429:
        return _Reply.text(429, "Too Many Requests", headers={"Retry-After": fault.retry_after})
    raise ValueError(f"{kind} has no canned answer")


def _drop_connection(request: web.Request) -> web.Response:
    """Hang up without sending a single response byte.

    Closing the transport first makes aiohttp's attempt to write the returned response
    fail quietly (it treats it as a premature client disconnection), so the client sees
    the connection die, as after a proxy reset.
    """
    transport = request.transport
    if transport is not None:
        transport.close()
    return web.Response(status=204)


# --------------------------------------------------------------------------- requests


@dataclass
class _Call:
    """One request as the vendor logic sees it."""

    product: Product
    key: Any  # whatever the client sent as apiKey: may be missing or not a string
    params: dict[str, Any]  # query or body fields, apiKey removed
    fault: FaultKind | None = None


_Op = Callable[[_Call], _Reply]


@dataclass(frozen=True)
class _Route:
    product: Product
    method: str
    endpoint: str  # the template journaled and matched by faults, e.g. "/subaccount/list"
    path: str  # the path served below the product prefix
    op: _Op
    key_in_path: bool = False


def _key_hint(key: Any) -> str:
    # Only long keys get a hint: the last 4 characters of a short string would be the key.
    if isinstance(key, str) and len(key) >= 8:
        return key[-4:]
    return ""


def _parse_body(raw: str) -> dict[str, Any]:
    """A JSON object body with exact Decimals; anything else counts as no fields at all."""
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw, parse_float=Decimal, parse_constant=str)
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


async def _read_call(request: web.Request, route: _Route) -> _Call:
    if route.method == "GET":
        params: dict[str, Any] = dict(request.query)
    else:
        params = _parse_body(await request.text())
    key = request.match_info["apiKey"] if route.key_in_path else params.pop("apiKey", None)
    params.pop("apiKey", None)
    return _Call(route.product, key, params)


# --------------------------------------------------------------------------- demo data

_COMPANIES = (
    "acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne", "wonka", "tyrell",
    "cyberdyne", "soylent", "vandelay", "dunder", "piedpiper", "oscorp", "aperture",
    "massive", "blueharbor", "boulangerie-paul", "lumiere", "optique-roux", "garage-leroy",
)  # fmt: skip
_TEAMS = (
    "marketing", "support", "sales", "alerts", "billing", "rh", "ops", "events", "promo",
    "notif", "agence-lyon", "agence-lille", "relances", "newsletter",
)  # fmt: skip
_FIRSTNAMES = (
    "Camille", "Léa", "Hugo", "Louis", "Chloé", "Manon", "Lucas", "Jules", "Inès", "Nathan",
    "Sarah", "Thomas", "Emma", "Arthur", "Zoé", "Paul",
)  # fmt: skip
_LASTNAMES = (
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "Roux",
)  # fmt: skip
# Demo dates end at a fixed instant so that the demo data never changes.
_DEMO_LAST_CREATED = datetime(2025, 5, 30, 17, 42, 10)
_DEMO_SPAN = timedelta(days=730)


def _demo_balance(rng: random.Random) -> Decimal:
    """Mostly comfortable balances, with some empty and some nearly empty ones."""
    draw = rng.random()
    if draw < 0.12:
        return Decimal("0.000")
    if draw < 0.30:
        return (Decimal(rng.randrange(1, 20)) * Decimal("0.5")).quantize(_MILLI)
    return Decimal(rng.randrange(10_000, 900_000)).scaleb(-3)


def _demo_email(rng: random.Random, taken: set[str], product: Product, kind: str) -> str:
    for attempt in itertools.count():
        if kind == "simple" and rng.random() < 0.2:
            email = f"{rng.randrange(10**6, 10**7)}@{_GENERATED_EMAIL_DOMAIN[product]}"
        else:
            company = rng.choice(_COMPANIES)
            # Only some hundreds of company-team pairs exist: thousands of subaccounts (load
            # tests) number the teams once the plain names keep colliding.
            team = rng.choice(_TEAMS) + (f"-{attempt}" if attempt >= _PLAIN_EMAIL_TRIES else "")
            email = f"{company}-{team}@{company}.example"
        if email not in taken:
            taken.add(email)
            return email
    raise AssertionError("unreachable")  # pragma: no cover


_PLAIN_EMAIL_TRIES = 20


class Sandbox:
    """The fake vendor: accounts, journal, faults and the aiohttp application serving them."""

    def __init__(self, *, demo: bool = True, clock: Callable[[], float] = time.monotonic) -> None:
        self.accounts: dict[str, SandboxAccount] = {}
        self.journal: list[JournalEntry] = []
        self.faults: list[Fault] = []
        self._clock = clock
        # Seeded on purpose: demo data must be the same on every run. Secrets (tokens and
        # keys of subaccounts created over the API) come from `secrets` instead.
        self._rng = random.Random(_DEMO_SEED)  # noqa: S311
        self._ids = itertools.count(1)
        self._voice_windows: dict[str, tuple[float, int]] = {}
        # Requests being handled right now, and the most ever handled at once, per API key.
        self._in_flight: dict[str, int] = {}
        self._max_in_flight: dict[str, int] = {}
        self._arrived = asyncio.Condition()
        self._sleeping: set[asyncio.Task[Any]] = set()
        self._runner: web.AppRunner | None = None
        self._root_url: str | None = None
        self.app = self._build_app()
        if demo:
            self._add_demo_accounts()

    # ------------------------------------------------------------------ accounts

    def add_account(
        self,
        product: Product,
        *,
        api_key: str | None = None,
        balance: Decimal = Decimal("1000.000"),
        subaccounts: int = 0,
        subaccounts_enabled: bool = True,
        delete_paths: tuple[str, ...] = _DELETE_PATHS,
    ) -> SandboxAccount:
        if subaccounts and not product.has_subaccounts:
            raise ValueError(f"{product.label} has no subaccounts")
        if not isinstance(balance, Decimal):
            raise TypeError("balance must be a Decimal")
        key = api_key or f"sandbox-{product.value}-{secrets_module.token_hex(12)}"
        if key in self.accounts:
            raise ValueError("an account already uses this api key")
        firstname, lastname = self._rng.choice(_FIRSTNAMES), self._rng.choice(_LASTNAMES)
        account = SandboxAccount(
            product=product,
            api_key=key,
            username=f"{firstname.lower()}.{lastname.lower()}.{len(self.accounts)}@reseller.example",
            firstname=firstname,
            lastname=lastname,
            balance=balance,
            subaccounts_enabled=subaccounts_enabled,
            delete_paths=tuple(delete_paths),
        )
        account.subaccounts.extend(self._realistic_subaccounts(product, subaccounts))
        self.accounts[key] = account
        return account

    def account(self, api_key: str) -> SandboxAccount:
        return self.accounts[api_key]

    def export_state(self) -> str:
        """Every account and subaccount as JSON (Decimals exact), for `load_state` on a later
        run: the console keeps its sandbox beside its database so the two never disagree."""
        accounts = [
            {
                "product": account.product.value,
                "api_key": account.api_key,
                "username": account.username,
                "firstname": account.firstname,
                "lastname": account.lastname,
                "balance": account.balance,
                "subaccounts_enabled": account.subaccounts_enabled,
                "delete_paths": list(account.delete_paths),
                "subaccounts": [
                    {**vars(sub), "created_at": sub.created_at.isoformat()}
                    for sub in account.subaccounts
                ],
            }
            for account in self.accounts.values()
        ]
        return to_json({"version": 1, "accounts": accounts})

    def load_state(self, text: str) -> None:
        """Replace every account with those `export_state` wrote. Raises ValueError when the
        text is not such a state, leaving the accounts as they were."""
        try:
            data = json.loads(text, parse_float=Decimal)
            if data.get("version") != 1:
                raise ValueError("unknown sandbox state version")
            accounts: dict[str, SandboxAccount] = {}
            for raw in data["accounts"]:
                subaccounts = [
                    SandboxSubaccount(
                        **{
                            **sub,
                            "created_at": datetime.fromisoformat(sub["created_at"]),
                            "balance": Decimal(sub["balance"]),
                        }
                    )
                    for sub in raw["subaccounts"]
                ]
                account = SandboxAccount(
                    product=Product(raw["product"]),
                    api_key=raw["api_key"],
                    username=raw["username"],
                    firstname=raw["firstname"],
                    lastname=raw["lastname"],
                    balance=Decimal(raw["balance"]),
                    subaccounts_enabled=raw["subaccounts_enabled"],
                    subaccounts=subaccounts,
                    delete_paths=tuple(raw["delete_paths"]),
                )
                accounts[account.api_key] = account
        except (KeyError, TypeError, AttributeError, json.JSONDecodeError) as error:
            raise ValueError(f"not a sandbox state: {error}") from None
        self.accounts = accounts
        last_id = max((s.id for a in accounts.values() for s in a.subaccounts), default=0)
        self._ids = itertools.count(last_id + 1)

    def secrets(self) -> set[str]:
        keys = set(self.accounts)
        for account in self.accounts.values():
            keys.update(sub.api_key for sub in account.subaccounts)
        return keys

    def _add_demo_accounts(self) -> None:
        sms = self.add_account(
            Product.SMS, api_key=DEMO_SMS_KEY, balance=Decimal("10225.119"), subaccounts=45
        )
        sms.username, sms.firstname, sms.lastname = "demo@example.com", "John", "Doe"
        mail = self.add_account(
            Product.MAIL, api_key=DEMO_MAIL_KEY, balance=Decimal("2480.350"), subaccounts=12
        )
        mail.username, mail.firstname, mail.lastname = "demo@example.com", "John", "Doe"
        voice = self.add_account(Product.VOICE, api_key=DEMO_VOICE_KEY, balance=Decimal("19"))
        voice.username, voice.firstname, voice.lastname = "demo@example.com", "John", "Doe"

    def _realistic_subaccounts(self, product: Product, count: int) -> list[SandboxSubaccount]:
        """Seeded, varied rows: ids and createdAt rise together, as they do upstream."""
        rng, taken = self._rng, set[str]()
        span = int(_DEMO_SPAN.total_seconds())
        offsets = sorted(rng.randrange(span) for _ in range(count))
        rows = []
        for offset in offsets:
            kind = "advanced" if rng.random() < 0.3 else "simple"
            rows.append(
                SandboxSubaccount(
                    id=next(self._ids),
                    email=_demo_email(rng, taken, product, kind),
                    type=kind,
                    token=f"{rng.getrandbits(128):032x}",
                    api_key=f"{rng.getrandbits(160):040x}",
                    created_at=_DEMO_LAST_CREATED - _DEMO_SPAN + timedelta(seconds=offset),
                    balance=_demo_balance(rng),
                    firstname=rng.choice(_FIRSTNAMES),
                    lastname=rng.choice(_LASTNAMES),
                    title=rng.choice(("M.", "Mme")),
                    is_buyer=kind == "advanced" and rng.random() < 0.5,
                )
            )
        return rows

    # ------------------------------------------------------------------ faults and journal

    def inject(self, fault: Fault) -> Fault:
        self.faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        self.faults.clear()

    def calls(
        self,
        *,
        product: Product | None = None,
        endpoint: str | None = None,
        method: str | None = None,
    ) -> list[JournalEntry]:
        return [
            entry
            for entry in self.journal
            if (product is None or entry.product is product)
            and (endpoint is None or entry.endpoint == endpoint)
            and (method is None or entry.method == method.upper())
        ]

    def max_concurrency(self, api_key: str) -> int:
        """The most requests with this API key the sandbox was ever handling at once."""
        return self._max_in_flight.get(api_key, 0)

    def in_flight(self, api_key: str) -> int:
        """Requests with this API key being handled right now (e.g. held by a LATENCY fault)."""
        return self._in_flight.get(api_key, 0)

    async def wait_in_flight(self, api_key: str, count: int = 1) -> None:
        """Return once `count` requests with this key are being handled at the same time."""
        async with self._arrived:
            await self._arrived.wait_for(lambda: self.in_flight(api_key) >= count)

    def _take_fault(self, route: _Route) -> Fault | None:
        for fault in self.faults:
            if fault.matches(route.product, route.endpoint, route.method):
                if fault.times is not None:
                    fault.times -= 1
                return fault
        return None

    def _record(
        self,
        route: _Route,
        call: _Call,
        reply: _Reply | None,
        http_status: int,
        fault: Fault | None,
    ) -> None:
        entry = JournalEntry(
            product=route.product,
            method=route.method,
            endpoint=route.endpoint,
            key_hint=_key_hint(call.key),
            params=dict(call.params),
            http_status=http_status,
            code=reply.code if reply else None,
            applied=reply.applied if reply else False,
            fault=fault.kind if fault else None,
        )
        self.journal.append(entry)
        # Our own access log: the endpoint template, never the raw path (Voice puts the key
        # there), never the query string, never the body.
        _log.info(
            "sandbox %s %s %s key=...%s -> HTTP %s code=%s applied=%s fault=%s",
            entry.product.value,
            entry.method,
            entry.endpoint,
            entry.key_hint,
            entry.http_status,
            entry.code,
            entry.applied,
            entry.fault.value if entry.fault else None,
        )

    # ------------------------------------------------------------------ serving

    def _build_app(self) -> web.Application:
        app = web.Application()
        for route in self._routes():
            prefix = f"/{route.product.value}/v1"
            app.router.add_route(route.method, prefix + route.path, self._handler(route))
        return app

    def _routes(self) -> Iterable[_Route]:
        for product in (Product.SMS, Product.MAIL):
            yield _Route(product, "GET", "/me", "/me", self._op_me)
            yield _Route(product, "GET", _LIST_ENDPOINT, _LIST_ENDPOINT, self._op_list)
            yield _Route(
                product, "POST", "/subaccount/create", "/subaccount/create", self._op_create
            )
            for direction in ("add", "remove"):
                endpoint = f"/subaccount/credit/{direction}"
                yield _Route(product, "POST", endpoint, endpoint, self._credit_op(direction))
            for name in _DELETE_PATHS:
                endpoint = f"/subaccount/{name}"
                yield _Route(product, "DELETE", endpoint, endpoint, self._delete_op(name))
        # Both Voice forms are one endpoint, "/me", for the journal and for faults.
        yield _Route(Product.VOICE, "GET", "/me", "/me", self._op_voice_me)
        yield _Route(Product.VOICE, "GET", "/me", "/me/{apiKey}", self._op_voice_me, True)

    def _handler(self, route: _Route) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def handle(request: web.Request) -> web.StreamResponse:
            return await self._serve(request, route)

        return handle

    async def _serve(self, request: web.Request, route: _Route) -> web.StreamResponse:
        call = await _read_call(request, route)
        counted = call.key if isinstance(call.key, str) else ""
        now = self._in_flight[counted] = self._in_flight.get(counted, 0) + 1
        self._max_in_flight[counted] = max(self._max_in_flight.get(counted, 0), now)
        async with self._arrived:
            self._arrived.notify_all()
        try:
            return await self._serve_counted(request, route, call)
        finally:
            self._in_flight[counted] -= 1

    async def _serve_counted(
        self, request: web.Request, route: _Route, call: _Call
    ) -> web.StreamResponse:
        fault = self._take_fault(route)
        if fault is not None and fault.kind in _INSTEAD_OF_VENDOR:
            return await self._serve_fault(request, route, call, fault)
        if fault is not None and fault.kind is FaultKind.LATENCY:
            await self._sleep(fault.delay)
        call.fault = fault.kind if fault else None
        # Everything from here to the journal entry is synchronous: no other request can
        # interleave, so each credit move is atomic without a lock.
        reply = self._run(route, call)
        if fault is not None and fault.kind is FaultKind.DROP_AFTER_APPLY:
            self._record(route, call, reply, 0, fault)
            return _drop_connection(request)
        self._record(route, call, reply, reply.status, fault)
        return reply.response()

    async def _serve_fault(
        self, request: web.Request, route: _Route, call: _Call, fault: Fault
    ) -> web.StreamResponse:
        if fault.kind is FaultKind.DROP_BEFORE_APPLY:
            self._record(route, call, None, 0, fault)
            return _drop_connection(request)
        if fault.kind is FaultKind.HANG:
            self._record(route, call, None, 0, fault)
            await self._sleep(_HANG_SECONDS)  # cancelled by stop()
            return _drop_connection(request)
        reply = _fault_reply(fault)
        self._record(route, call, reply, reply.status, fault)
        return reply.response()

    async def _sleep(self, seconds: float) -> None:
        # aiohttp does not cancel a handler when its client goes away, and its shutdown
        # only reaches handlers whose connection is still open: stop() cancels these itself.
        task = asyncio.current_task()
        if task is None:
            await asyncio.sleep(seconds)
            return
        self._sleeping.add(task)
        try:
            await asyncio.sleep(seconds)
        finally:
            self._sleeping.discard(task)

    @staticmethod
    def _run(route: _Route, call: _Call) -> _Reply:
        try:
            return route.op(call)
        except _Refusal as refusal:
            return _Reply.refusal(refusal)

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        if self._runner is not None:
            raise RuntimeError("sandbox already started")
        # access_log=None: aiohttp's access log would print query strings and Voice paths,
        # both of which carry API keys. A short shutdown timeout keeps HANG faults from
        # holding stop() for an hour.
        runner = web.AppRunner(
            self.app, access_log=None, handle_signals=False, shutdown_timeout=_SHUTDOWN_TIMEOUT
        )
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        bound_port = runner.addresses[0][1]
        self._runner = runner
        self._root_url = f"http://{host}:{bound_port}"
        return self._root_url

    def url(self, product: Product) -> str:
        if self._root_url is None:
            raise RuntimeError("sandbox not started")
        return f"{self._root_url}/{Product(product).value}/v1"

    async def stop(self) -> None:
        runner, self._runner, self._root_url = self._runner, None, None
        for task in list(self._sleeping):
            task.cancel()
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> Sandbox:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # ------------------------------------------------------------------ vendor logic

    def _authenticate(self, call: _Call) -> SandboxAccount:
        if _is_blank(call.key):
            raise _Refusal(1, "La Clé API est requise", 401)
        account = self.accounts.get(call.key) if isinstance(call.key, str) else None
        # A key of another product's account is as wrong as an unknown one.
        if account is None or account.product is not call.product:
            raise _Refusal(10, "Clé API incorrecte", 401)
        return account

    def _op_me(self, call: _Call) -> _Reply:
        account = self._authenticate(call)
        balance = money_text(account.balance)
        if account.product is Product.MAIL:
            credits: dict[str, Any] = {
                "creditMail": int(account.balance // _MAIL_PRICE),
                "currency": CURRENCY,
                "balance": balance,
            }
            return _Reply.ok({"user": {"username": account.username}, "credits": credits})
        credits = {
            "creditSms": int(account.balance // _SMS_PRICE),
            "creditSmsECO": int(account.balance // _SMS_ECO_PRICE),
            "creditHlr": int(account.balance // _HLR_PRICE),
            "toSend": 0,
            "solde": balance,
            "currency": CURRENCY,
            "balance": balance,
        }
        return _Reply.ok({"user": _user(account), "credits": credits})

    def _op_list(self, call: _Call) -> _Reply:
        account = self._authenticate(call)
        page = _page_number(call.params.get("page"))
        served = 1 if call.fault is FaultKind.REPEAT_PAGE else page
        start = (served - 1) * PER_PAGE
        rows = account.subaccounts[start : start + PER_PAGE]
        if call.fault is FaultKind.EMPTY_PAGE:
            rows = []
        return _Reply.ok(
            {
                "total": len(account.subaccounts),
                "nb_per_page": PER_PAGE,
                "page": page,
                "data": [_subaccount_row(sub) for sub in rows],
            }
        )

    def _op_create(self, call: _Call) -> _Reply:
        account = self._authenticate(call)
        if not account.subaccounts_enabled:
            raise _Refusal(2, "Vous n'avez pas l'autorisation")
        kind = call.params.get("type")
        if _is_blank(kind):
            raise _Refusal(4, "Le type est requis (simple ou advanced)")
        if kind not in ("simple", "advanced"):
            raise _Refusal(5, "Le type de sous-compte n'existe pas (simple ou advanced)")
        params = _parameters_object(call.params.get("parameters"))
        email = _optional_text(params.get("email"))
        advanced = kind == "advanced"
        if advanced and email is None:
            raise _Refusal(6, "L'email est requis")
        is_buyer = _parse_is_buyer(params) if advanced else False
        if email is not None and _email_taken(account, email):
            raise _Refusal(7, "Un compte existe déjà avec cet email")
        amount = _credit_to_attribute(params)
        if amount > account.balance:
            raise _Refusal(9, "La balance doit être supérieure à 0")
        sub = SandboxSubaccount(
            id=next(self._ids),
            email=email or self._generated_email(account),
            type=kind,
            token=secrets_module.token_hex(16),
            api_key=secrets_module.token_hex(20),
            created_at=datetime.now().replace(microsecond=0),
            balance=amount,
            firstname=_optional_text(params.get("firstname")),
            lastname=_optional_text(params.get("lastname")),
            title=_optional_text(params.get("title")),
            is_buyer=is_buyer,
        )
        account.balance -= amount
        account.subaccounts.append(sub)
        return _Reply.ok(
            {
                "subaccount": {"email": sub.email, "token": sub.token},
                "sendConfirmMailTo": sub.email,
                "parent_email": account.username,
            },
            applied=True,
        )

    def _generated_email(self, account: SandboxAccount) -> str:
        # The vendor's own example: "9875587@smspartner.fr".
        domain = _GENERATED_EMAIL_DOMAIN[account.product]
        while True:
            email = f"{self._rng.randrange(10**6, 10**7)}@{domain}"
            if not _email_taken(account, email):
                return email

    def _credit_op(self, direction: str) -> _Op:
        def op(call: _Call) -> _Reply:
            return self._move_credit(call, to_subaccount=direction == "add")

        return op

    def _move_credit(self, call: _Call, *, to_subaccount: bool) -> _Reply:
        account = self._authenticate(call)
        if not account.subaccounts_enabled:
            raise _Refusal(4, "Vous n'avez pas l'autorisation")
        raw_credit, token = call.params.get("credit"), call.params.get("tokenSubaccount")
        if _is_blank(raw_credit):
            raise _Refusal(2, "Le crédit est requis")
        if _is_blank(token):
            raise _Refusal(3, "L'identifiant du sous-compte est requis")
        amount = parse_amount(raw_credit)
        if amount is None or amount <= 0:
            raise _Refusal(5, "Le crédit à attribuer doit être supérieur à 0")
        sub = account.find_subaccount(token) if isinstance(token, str) else None
        if sub is None:
            raise _Refusal(7, "Le sous-compte n'existe pas")
        source = account.balance if to_subaccount else sub.balance
        if amount > source:
            raise _Refusal(8, "Crédit insufisant")  # sic: the vendor's spelling
        signed = amount if to_subaccount else -amount
        account.balance -= signed
        sub.balance += signed
        return _Reply.ok(
            {"credit": account.balance, "subaccountCredit": sub.balance, "currency": CURRENCY},
            applied=True,
        )

    def _delete_op(self, path_name: str) -> _Op:
        def op(call: _Call) -> _Reply:
            return self._delete(call, path_name)

        return op

    def _delete(self, call: _Call, path_name: str) -> _Reply:
        account = self._authenticate(call)
        if path_name not in account.delete_paths:
            return _not_found()
        token = call.params.get("token")
        if _is_blank(token):
            raise _Refusal(1, "Le token est requis")
        sub = account.find_subaccount(token) if isinstance(token, str) else None
        if sub is None:
            raise _Refusal(404, "Le sous-compte n'existe pas", 404)
        # The vendor does not document where a deleted subaccount's credit goes. The
        # sandbox returns it to the main account so that money is conserved: tests rely
        # on main + subaccounts staying constant.
        account.subaccounts.remove(sub)
        account.balance += sub.balance
        return _Reply.ok({}, applied=True)

    def _op_voice_me(self, call: _Call) -> _Reply:
        account = self._authenticate(call)
        allowed, headers = self._voice_rate_limit(account.api_key)
        if not allowed:
            body = {"success": False, "message": "Trop de requêtes : 5 par minute au maximum"}
            return _Reply.json(body, status=429, headers=headers)
        # Voice answers have no `code`, and `credit` is a string.
        payload = {
            "success": True,
            "credit": decimal_literal(account.balance),
            "currency": VOICE_CURRENCY,
            "details": account.voice_details,
        }
        return _Reply.json(payload, headers=headers)

    def _voice_rate_limit(self, api_key: str) -> tuple[bool, dict[str, str]]:
        """A fixed window of VOICE_LIMIT requests per key, opened by its first request."""
        now = self._clock()
        started, used = self._voice_windows.get(api_key, (now, 0))
        if now - started >= VOICE_WINDOW_SECONDS:
            started, used = now, 0
        reset = str(max(1, math.ceil(started + VOICE_WINDOW_SECONDS - now)))
        headers = {"x-ratelimit-limit": str(VOICE_LIMIT), "x-ratelimit-reset": reset}
        if used >= VOICE_LIMIT:
            self._voice_windows[api_key] = (started, used)
            return False, {**headers, "x-ratelimit-remaining": "0", "Retry-After": reset}
        self._voice_windows[api_key] = (started, used + 1)
        return True, {**headers, "x-ratelimit-remaining": str(VOICE_LIMIT - used - 1)}


# --------------------------------------------------------------------------- helpers


def _user(account: SandboxAccount) -> dict[str, Any]:
    user: dict[str, Any] = {"username": account.username}
    if account.firstname is not None:
        user["firstname"] = account.firstname
    if account.lastname is not None:
        user["lastname"] = account.lastname
    return user


def _subaccount_row(sub: SandboxSubaccount) -> dict[str, Any]:
    return {
        "id": sub.id,
        "email": sub.email,
        "type": sub.type,
        "token": sub.token,
        "apiKey": sub.api_key,
        "createdAt": sub.created_at.strftime("%Y-%m-%d %H:%M:%S"),
        "credits": {"balance": money_text(sub.balance), "currency": CURRENCY},
    }


def _page_number(raw: Any) -> int:
    """The page asked for; page 1 when omitted or unreadable, as the vendor documents."""
    try:
        page = int(str(raw).strip())
    except ValueError:
        return 1
    return max(page, 1)


def _parameters_object(raw: Any) -> dict[str, Any]:
    # One vendor example sends `parameters` as a JSON string: accept that too.
    if isinstance(raw, str):
        raw = _parse_body(raw)
    return raw if isinstance(raw, dict) else {}


def _parse_is_buyer(params: dict[str, Any]) -> bool:
    raw = params.get("isBuyer")
    # 0 is a valid answer ("may not buy"): only an absent or unreadable value is refused.
    if isinstance(raw, bool):
        return raw
    if raw in (0, 1) or raw in ("0", "1"):
        return str(raw) == "1"
    raise _Refusal(3, "isBuyer est requis")


def _credit_to_attribute(params: dict[str, Any]) -> Decimal:
    raw = params.get("creditToAttribute")
    if _is_blank(raw):
        return Decimal("0.000")
    amount = parse_amount(raw)
    if amount is None or amount <= 0:
        raise _Refusal(8, "creditToAttribute doit être supérieur à 0")
    return amount


def _email_taken(account: SandboxAccount, email: str) -> bool:
    wanted = email.casefold()
    return any(sub.email.casefold() == wanted for sub in account.subaccounts)


# --------------------------------------------------------------------------- CLI


async def _serve_forever(host: str, port: int) -> None:
    sandbox = Sandbox()
    root = await sandbox.start(host, port)
    try:
        print(f"Partner sandbox listening on {root}")
        for product, key in (
            (Product.SMS, DEMO_SMS_KEY),
            (Product.MAIL, DEMO_MAIL_KEY),
            (Product.VOICE, DEMO_VOICE_KEY),
        ):
            print(f"  {product.label:<14} {sandbox.url(product):<40} apiKey {key}")
        print("Ctrl-C to stop.", flush=True)
        await asyncio.Event().wait()
    finally:
        await sandbox.stop()


def main(argv: list[str] | None = None) -> int:
    """Serve the sandbox with its demo accounts until Ctrl-C."""
    parser = argparse.ArgumentParser(
        prog="partner-ops sandbox", description="Local fake of the Partner APIs."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve_forever(args.host, args.port))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
