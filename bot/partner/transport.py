"""HTTP to the Partner APIs: one pooled aiohttp session, retries, limits and error sorting.

This is the only module that touches URLs, and URLs carry API keys (GET puts the key in the
query string, Voice puts it in the path). So nothing here logs or raises with a URL, a header
or a body: logs and errors name the product and the endpoint template only, and every aiohttp
exception is replaced (`from None`) so that its text, which may quote the URL, never reaches a
traceback.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from types import SimpleNamespace
from typing import Any

import aiohttp

from bot.partner.errors import (
    Endpoint,
    PartnerError,
    PartnerOutcomeUnknown,
    PartnerUnavailable,
    RateLimited,
)
from bot.partner.exchange import (
    Answer,
    PartnerRequest,
    Served,
    describe,
    garbage,
    parse_json,
    retry_after,
    scrub,
)
from bot.partner.keys import fingerprint, key_id
from bot.partner.pacing import Clock, RateLimit, RetryPolicy, Sleep, Timeouts
from bot.partner.page_walk import PagesSeen
from bot.partner.reads import DISPLAY_TTL, ReadCache, ReadKey
from bot.partner.sessions import Sessions

# What callers have always imported from here.
__all__ = [
    "Clock",
    "PartnerRequest",
    "PartnerTransport",
    "PathNotServed",
    "RateLimit",
    "RetryPolicy",
    "Served",
    "Sleep",
    "Timeouts",
    "TransportClosed",
    "fingerprint",
    "key_id",
]

log = logging.getLogger("bot.partner")


class _Retry(Exception):
    """A GET attempt that may succeed if repeated."""

    def __init__(self, detail: str, wait: float | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.wait = wait


class PathNotServed(PartnerUnavailable):
    """HTTP 404/405 for the path itself (not a vendor JSON answer): the route does not exist.

    The server turned the request away before handling it, so nothing changed.
    """


def _read_key(identity: str, request: PartnerRequest) -> ReadKey:
    query = sorted((request.query or {}).items())
    digest = hashlib.sha256(repr((request.method, request.url, query)).encode()).hexdigest()
    return (identity, str(request.endpoint), digest)


class TransportClosed(RuntimeError):
    """A call after `PartnerTransport.close()`: the process is shutting down.

    Nothing was sent. Opening a new session here would leak it (nobody would close it), so
    the call is refused instead.
    """

    def __init__(self) -> None:
        super().__init__("the Partner transport is closed: the process is shutting down")


class PartnerTransport:
    """One per process: a pooled `ClientSession` shared by every Partner client.

    Created outside any event loop is fine; the session is opened on first use and closed by
    `close()` (or `async with`), after which every call raises `TransportClosed`.
    """

    def __init__(
        self,
        *,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        per_key_concurrency: int = 4,
        pool_size: int = 100,
        sleep: Sleep = asyncio.sleep,
        clock: Clock = time.monotonic,
        cache_ttl: float = DISPLAY_TTL,
    ) -> None:
        self.timeouts = timeouts or Timeouts()
        self.reads = ReadCache(clock=clock, ttl=cache_ttl)
        self.retry = retry or RetryPolicy()
        self.per_key_concurrency = per_key_concurrency
        """Requests in flight at once for one API key, at most."""
        self.pages_seen = PagesSeen()
        """Each key's subaccount pages at its last walk (bot.partner.page_walk)."""
        self._sleep = sleep
        self._clock = clock
        self._sessions = Sessions(self.timeouts, pool_size)
        self._closed = False
        self._slots: dict[str, asyncio.Semaphore] = {}
        self._rate_limits: dict[tuple[str, Endpoint], RateLimit] = {}

    async def __aenter__(self) -> PartnerTransport:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    @property
    def closed(self) -> bool:
        return self._closed

    async def close(self) -> None:
        self._closed = True
        await self._sessions.close()

    def _open_session(self, *, traced: bool) -> aiohttp.ClientSession:
        if self._closed:
            raise TransportClosed()
        return self._sessions.open(traced=traced)

    async def call(self, request: PartnerRequest, *, fresh: bool = True) -> dict[str, Any]:
        """Send a request and return the vendor's JSON answer (a success), or raise."""
        return (await self.read(request, fresh=fresh)).document

    async def read(self, request: PartnerRequest, *, fresh: bool = False) -> Served:
        """The vendor's answer to `request`.

        A write is always sent (once) and empties its key's cache. A display read (`fresh`
        false) may be answered from a few seconds ago, shares any identical read in flight,
        and never waits for a rate limit: when the window is spent it gets the last known
        answer (`stale`) or `RateLimited`. A fresh read, for money decisions, is sent for
        this caller alone and waits for a spent window (never while holding a slot).
        """
        if self._closed:  # shutting down: no answer from the cache either
            raise TransportClosed()
        identity = key_id(request.api_key)
        if not request.is_safe:
            self.reads.invalidate(identity)
            try:
                # Never retried: a repeated credit move could move the money twice.
                return Served(await self._attempt(request))
            finally:
                # Also after: a read that overtook the write must not be kept either.
                self.reads.invalidate(identity)
        read_key = _read_key(identity, request)
        if fresh:
            if request.rate_limit:
                await self._rate_limit(identity, request).acquire()
            answer = await self.reads.fetch(read_key, lambda: self._send_safe(request, True))
            return Served(answer.document)
        recent = self.reads.recent(read_key)
        if recent is not None:
            return Served(recent.document, self.reads.age(recent))
        if request.rate_limit and not self.reads.in_flight(read_key):
            wait = self._rate_limit(identity, request).try_acquire()
            if wait > 0:
                return self._last_known(read_key, request, wait)
        try:
            answer = await self.reads.shared(read_key, lambda: self._send_safe(request, False))
        except RateLimited as limited:
            return self._last_known(read_key, request, limited.retry_in)
        return Served(answer.document)

    def _last_known(self, read_key: ReadKey, request: PartnerRequest, wait: float) -> Served:
        known = self.reads.last_known(read_key)
        if known is None:
            raise RateLimited(request.product, request.endpoint, wait)
        return Served(known.document, self.reads.age(known), stale=True)

    async def _send_safe(self, request: PartnerRequest, patient: bool) -> dict[str, Any]:
        """A GET with retries. The first attempt's rate-limit place is already taken.

        An impatient read (a display) of a rate-limited endpoint raises `RateLimited` rather
        than wait for the vendor's window.
        """
        for retry_number in range(self.retry.attempts):
            try:
                if retry_number and request.rate_limit:
                    limit = self._rate_limit(key_id(request.api_key), request)
                    if patient:
                        await limit.acquire()
                    elif (wait := limit.try_acquire()) > 0:
                        raise RateLimited(request.product, request.endpoint, wait)
                return await self._attempt(request)
            except _Retry as retry:
                last = retry_number == self.retry.attempts - 1
                wait = retry.wait if retry.wait is not None else self.retry.backoff(retry_number)
                if retry.wait is not None and request.rate_limit and not patient:
                    raise RateLimited(request.product, request.endpoint, retry.wait) from None
                if last or wait > self.retry.max_wait:
                    log.warning(
                        "%s GET %s unavailable after %d attempt(s): %s",
                        request.product.value,
                        request.endpoint,
                        retry_number + 1,
                        retry.detail,
                    )
                    raise PartnerUnavailable(
                        request.product, request.endpoint, retry.detail
                    ) from None
                log.info(
                    "%s GET %s: %s; retrying in %.2f s",
                    request.product.value,
                    request.endpoint,
                    retry.detail,
                    wait,
                )
                await self._sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _attempt(self, request: PartnerRequest) -> dict[str, Any]:
        identity = key_id(request.api_key)
        slot = self._slots.setdefault(identity, asyncio.Semaphore(self.per_key_concurrency))
        # A rate-limited request took its place in the window before coming here: waiting for
        # the window while holding one of the key's few slots would stall every other read.
        async with slot:
            answer = await self._exchange(request)
        return self._interpret(request, answer)

    def _rate_limit(self, identity: str, request: PartnerRequest) -> RateLimit:
        assert request.rate_limit is not None
        calls, period = request.rate_limit
        key = (identity, request.endpoint)
        if key not in self._rate_limits:
            self._rate_limits[key] = RateLimit(calls, period, self._clock, self._sleep)
        return self._rate_limits[key]

    async def _exchange(self, request: PartnerRequest) -> Answer:
        """One HTTP exchange; transport failures sorted by whether the request may have left."""
        progress = SimpleNamespace(sent=False)
        started = time.monotonic()
        data = None
        headers = {"Accept": "application/json"}
        if request.body is not None:
            data = json.dumps(request.body).encode()
            headers["Content-Type"] = "application/json"
        try:
            async with self._open_session(traced=not request.is_safe).request(
                request.method,
                request.url,
                params=request.query,
                data=data,
                headers=headers,
                trace_request_ctx=progress,
                allow_redirects=False,
            ) as response:
                body = await response.read()
                answer = Answer(response.status, dict(response.headers), body)
        except (aiohttp.ClientError, TimeoutError) as exc:
            failure = describe(exc)
            log.warning(
                "%s %s %s failed after %.0f ms: %s",
                request.product.value,
                request.method,
                request.endpoint,
                (time.monotonic() - started) * 1000,
                failure,
            )
            if request.is_safe:
                raise _Retry(failure) from None
            if progress.sent:
                raise PartnerOutcomeUnknown(
                    request.product,
                    request.endpoint,
                    f"the request was sent but no answer came back ({failure}); "
                    "it may or may not have been carried out",
                ) from None
            raise PartnerUnavailable(
                request.product, request.endpoint, f"the request could not be sent ({failure})"
            ) from None
        log.debug(
            "%s %s %s -> HTTP %d in %.0f ms",
            request.product.value,
            request.method,
            request.endpoint,
            answer.status,
            (time.monotonic() - started) * 1000,
        )
        return answer

    def _interpret(self, request: PartnerRequest, answer: Answer) -> dict[str, Any]:
        document = parse_json(answer.body)
        is_vendor_answer = isinstance(document, dict) and "success" in document

        if answer.status == 429 and not (is_vendor_answer and document.get("code")):
            wait = retry_after(answer.headers, self._wall_clock())
            detail = "the vendor is limiting the request rate (HTTP 429)"
            if request.is_safe:
                raise _Retry(detail, wait)
            # A rate-limited request is refused before it is handled.
            raise PartnerUnavailable(request.product, request.endpoint, detail)

        if answer.status >= 500:
            detail = f"the server answered HTTP {answer.status}"
            if request.is_safe:
                raise _Retry(detail)
            raise self._unknown(request, detail)

        if not is_vendor_answer:
            detail = garbage(answer)
            if answer.status in (404, 405):
                raise PathNotServed(request.product, request.endpoint, detail)
            if request.is_safe or 400 <= answer.status < 500:
                # A GET changed nothing; a 4xx without a vendor body is the server (or a proxy)
                # turning the request away before handling it.
                raise PartnerUnavailable(request.product, request.endpoint, detail)
            raise self._unknown(request, detail)

        assert isinstance(document, dict)
        if document["success"] is True:
            return document
        code = document.get("code")
        message = document.get("message")
        if not message and isinstance(document.get("error"), list):
            message = "; ".join(
                str(item.get("message")) for item in document["error"] if isinstance(item, dict)
            )
        raise PartnerError(
            request.product,
            request.endpoint,
            code if isinstance(code, int) and not isinstance(code, bool) else None,
            scrub(str(message), request.api_key) if message else None,
        )

    def _unknown(self, request: PartnerRequest, detail: str) -> PartnerOutcomeUnknown:
        # The server received the request and then failed or answered nonsense: whether it
        # applied the change first cannot be known from here.
        return PartnerOutcomeUnknown(
            request.product,
            request.endpoint,
            f"{detail}; the request may or may not have been carried out",
        )

    @staticmethod
    def _wall_clock() -> float:
        return time.time()
