"""One exchange with a Partner server: the request, the answer, and reading that answer or
describing a failure without quoting a URL, a header or a body that may carry an API key."""

from __future__ import annotations

import email.utils
import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import aiohttp
from pydantic import SecretStr

from bot.partner.errors import Endpoint
from bot.partner.keys import fingerprint
from bot.partner.models import Product


@dataclass(frozen=True, slots=True)
class PartnerRequest:
    product: Product
    method: str
    endpoint: Endpoint
    url: str
    api_key: SecretStr
    query: Mapping[str, str] | None = None
    body: Mapping[str, Any] | None = None
    rate_limit: tuple[int, float] | None = None
    """(calls, period) the vendor documents for this endpoint, applied per API key."""

    @property
    def is_safe(self) -> bool:
        """A GET changes nothing upstream, so it may be retried and never has unknown outcomes."""
        return self.method == "GET"


@dataclass(frozen=True, slots=True)
class Served:
    """A vendor answer and how old it is: 0 when it was read for this caller (or its flight)."""

    document: dict[str, Any]
    age: float = 0.0
    stale: bool = False
    """True when the answer is older than a display read may be, shown because the vendor's
    rate limit is spent: the caller must say how old it is."""


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    headers: Mapping[str, str]
    body: bytes


def describe(exc: BaseException) -> str:
    """A short description of a transport failure that quotes nothing from the URL."""
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return "connection timed out"
    if isinstance(exc, TimeoutError | aiohttp.ServerTimeoutError):
        return "timed out waiting for the answer"
    if isinstance(exc, aiohttp.ClientConnectorError):
        return "could not connect"
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return "the server closed the connection"
    if isinstance(exc, aiohttp.ClientPayloadError):
        return "the answer was cut off"
    return f"connection error ({type(exc).__name__})"


_EXACT_JSON = json.JSONDecoder(parse_float=Decimal)
"""Made once: `json.loads(..., parse_float=Decimal)` builds a decoder on every call."""


def parse_json(body: bytes) -> Any:
    if not body.strip():
        return None
    try:
        # As json.loads reads bytes (UTF-8, -16 or -32), with the decoder made once.
        return _EXACT_JSON.decode(body.decode(json.detect_encoding(body), "surrogatepass"))
    except (ValueError, UnicodeDecodeError):
        return None


def garbage(answer: Answer) -> str:
    if not answer.body.strip():
        return f"the server answered HTTP {answer.status} with an empty body"
    kind = answer.headers.get("Content-Type", "unknown content").split(";")[0]
    return f"the server answered HTTP {answer.status} with something that is not the API ({kind})"


def retry_after(headers: Mapping[str, str], now: float) -> float | None:
    """Seconds to wait from `Retry-After` (seconds or HTTP date) or `x-ratelimit-reset`."""
    lowered = {name.lower(): value for name, value in headers.items()}
    value = lowered.get("retry-after")
    if value:
        try:
            return max(0.0, float(value))
        except ValueError:
            try:
                return max(0.0, email.utils.parsedate_to_datetime(value).timestamp() - now)
            except (TypeError, ValueError):
                pass
    value = lowered.get("x-ratelimit-reset")
    if value:
        try:
            reset = float(value)
        except ValueError:
            return None
        # Undocumented unit: a Unix time when it looks like one, else seconds from now.
        return max(0.0, reset - now) if reset > 1_000_000_000 else max(0.0, reset)
    return None


def scrub(text: str, api_key: SecretStr) -> str:
    """Vendor text should not echo the key, but if it ever does it must not travel further."""
    raw = api_key.get_secret_value()
    return text.replace(raw, fingerprint(api_key)) if raw else text
