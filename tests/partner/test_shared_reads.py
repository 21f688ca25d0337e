"""Vendor reads shared and cached, the vendor protected: singleflight, a short per-key cache
that any write on the key empties, money reads always fresh, a spent rate limit never waited
out on a display read, and subaccount pages read side by side within the per-key limit."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from decimal import Decimal

import pytest

from bot.partner.client import MailClient, SmsClient, VoiceClient
from bot.partner.errors import RateLimited
from bot.partner.models import Product
from bot.partner.reads import ReadCache
from bot.partner.transport import PartnerTransport
from devkit.sandbox import (
    DEMO_MAIL_KEY,
    DEMO_SMS_KEY,
    DEMO_VOICE_KEY,
    Fault,
    FaultKind,
    Sandbox,
)
from tests.conftest import SecretsGuard
from tests.partner.conftest import FAST_RETRY


class FakeTime:
    """A monotonic clock the test moves by hand; sleeping on it is recorded, never real."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


@pytest.fixture
def time() -> FakeTime:
    return FakeTime()


@pytest.fixture
async def timed_sandbox(time: FakeTime, secrets_guard: SecretsGuard) -> AsyncIterator[Sandbox]:
    async with Sandbox(clock=time.clock) as sandbox:
        secrets_guard.watch(sandbox.secrets())
        yield sandbox


@pytest.fixture
async def timed_transport(time: FakeTime) -> AsyncIterator[PartnerTransport]:
    async with PartnerTransport(retry=FAST_RETRY, clock=time.clock, sleep=time.sleep) as t:
        yield t


def me_calls(sandbox: Sandbox, product: Product) -> int:
    return len(sandbox.calls(product=product, endpoint="/me"))


async def test_fifty_concurrent_balance_reads_make_one_call_per_product(
    sandbox: Sandbox, transport: PartnerTransport
) -> None:
    # Every /me takes a while, so all fifty readers of each product are waiting at once.
    sandbox.inject(Fault(FaultKind.LATENCY, endpoint="/me", times=None, delay=0.2))
    clients = [
        SmsClient(transport, DEMO_SMS_KEY, sandbox.url(Product.SMS)),
        MailClient(transport, DEMO_MAIL_KEY, sandbox.url(Product.MAIL)),
        VoiceClient(transport, DEMO_VOICE_KEY, sandbox.url(Product.VOICE)),
    ]
    readings = await asyncio.gather(*(c.me() for c in clients for _ in range(50)))
    assert len(readings) == 150
    assert {r.balance for r in readings[:50]} == {Decimal("10225.119")}
    for product in Product:
        assert me_calls(sandbox, product) == 1, product


async def test_a_shared_failure_reaches_every_reader_once(
    sandbox: Sandbox, transport: PartnerTransport
) -> None:
    sandbox.inject(Fault(FaultKind.HTTP_500, endpoint="/me", times=None))
    sms = SmsClient(transport, DEMO_SMS_KEY, sandbox.url(Product.SMS))
    results = await asyncio.gather(*(sms.me() for _ in range(20)), return_exceptions=True)
    assert all(isinstance(r, Exception) for r in results)
    # One flight, retried by the transport's policy: not twenty flights.
    assert me_calls(sandbox, Product.SMS) == FAST_RETRY.attempts


async def test_display_reads_are_cached_for_a_few_seconds_then_read_again(
    timed_sandbox: Sandbox, timed_transport: PartnerTransport, time: FakeTime
) -> None:
    sms = SmsClient(timed_transport, DEMO_SMS_KEY, timed_sandbox.url(Product.SMS))
    first = await sms.fetch_me()
    timed_sandbox.account(DEMO_SMS_KEY).balance = Decimal("5.000")
    time.now += 4.9
    cached = await sms.fetch_me()
    assert me_calls(timed_sandbox, Product.SMS) == 1
    assert cached.value.balance == first.value.balance == Decimal("10225.119")
    assert cached.age == pytest.approx(4.9) and not cached.stale

    time.now += 0.1  # five seconds: expired
    again = await sms.fetch_me()
    assert me_calls(timed_sandbox, Product.SMS) == 2
    assert again.value.balance == Decimal("5.000") and again.age == 0


async def test_pages_are_cached_per_page(
    timed_sandbox: Sandbox, timed_transport: PartnerTransport
) -> None:
    sms = SmsClient(timed_transport, DEMO_SMS_KEY, timed_sandbox.url(Product.SMS))
    await sms.all_subaccounts()
    await sms.all_subaccounts()
    await sms.list_subaccounts(2)
    assert len(timed_sandbox.calls(endpoint="/subaccount/list")) == 3  # 45 subaccounts: 3 pages


@pytest.mark.parametrize("write", ["add", "remove", "create", "delete"])
async def test_any_write_on_the_key_empties_its_cache(
    write: str, timed_sandbox: Sandbox, timed_transport: PartnerTransport
) -> None:
    sms = SmsClient(timed_transport, DEMO_SMS_KEY, timed_sandbox.url(Product.SMS))
    mail = MailClient(timed_transport, DEMO_MAIL_KEY, timed_sandbox.url(Product.MAIL))
    await asyncio.gather(sms.me(), sms.all_subaccounts(), mail.me())
    token = timed_sandbox.account(DEMO_SMS_KEY).subaccounts[0].token
    timed_sandbox.account(DEMO_SMS_KEY).subaccounts[0].balance = Decimal("50")
    match write:
        case "add":
            await sms.add_credit(token, Decimal("1"))
        case "remove":
            await sms.remove_credit(token, Decimal("1"))
        case "create":
            await sms.create_subaccount("simple", credit=Decimal("1"))
        case "delete":
            await sms.delete_subaccount(token)
    after = await sms.me()
    subaccounts = await sms.all_subaccounts()
    await mail.me()
    assert after.balance == timed_sandbox.account(DEMO_SMS_KEY).balance
    assert me_calls(timed_sandbox, Product.SMS) == 2
    assert {s.token for s in subaccounts} == {
        s.token for s in timed_sandbox.account(DEMO_SMS_KEY).subaccounts
    }
    assert me_calls(timed_sandbox, Product.MAIL) == 1  # another key keeps its cache


async def test_a_read_in_flight_during_a_write_is_neither_shared_nor_kept(
    sandbox: Sandbox, transport: PartnerTransport
) -> None:
    sms = SmsClient(transport, DEMO_SMS_KEY, sandbox.url(Product.SMS))
    token = sandbox.account(DEMO_SMS_KEY).subaccounts[0].token
    sandbox.inject(Fault(FaultKind.LATENCY, endpoint="/me", delay=0.3))
    slow = asyncio.ensure_future(sms.me())
    await sandbox.wait_in_flight(DEMO_SMS_KEY)  # the slow read reached the vendor
    await sms.add_credit(token, Decimal("1"))
    after_write = await sms.me()  # may not join the flight that started before the write
    assert after_write.balance == sandbox.account(DEMO_SMS_KEY).balance
    # The slow read now answers something else; as it began before the write, it is not kept.
    sandbox.account(DEMO_SMS_KEY).balance = Decimal("1.000")
    assert (await slow).balance == Decimal("1.000")
    assert (await sms.me()).balance == after_write.balance
    assert me_calls(sandbox, Product.SMS) == 2


async def test_a_fresh_read_calls_the_vendor_even_right_after_a_cached_one(
    sandbox: Sandbox, transport: PartnerTransport
) -> None:
    sms = SmsClient(transport, DEMO_SMS_KEY, sandbox.url(Product.SMS))
    await sms.me()
    await sms.all_subaccounts()
    sandbox.account(DEMO_SMS_KEY).balance = Decimal("7.000")
    assert (await sms.me()).balance == Decimal("10225.119")  # display: cached
    assert (await sms.me(fresh=True)).balance == Decimal("7.000")
    await sms.all_subaccounts(fresh=True)
    assert me_calls(sandbox, Product.SMS) == 2
    assert len(sandbox.calls(endpoint="/subaccount/list")) == 6


async def test_a_spent_voice_window_shows_the_last_figure_with_its_age_and_never_waits(
    timed_sandbox: Sandbox, timed_transport: PartnerTransport, time: FakeTime
) -> None:
    voice = VoiceClient(timed_transport, DEMO_VOICE_KEY, timed_sandbox.url(Product.VOICE))
    for _ in range(5):
        await voice.fetch_me()
        time.now += 6  # past the display cache each time
    timed_sandbox.account(DEMO_VOICE_KEY).balance = Decimal("3")
    time.now += 10  # the last answer is now 16 s old; the window (60 s) is still spent
    shown = await voice.fetch_me()
    assert shown.stale and shown.age == pytest.approx(16)
    assert shown.value.balance == Decimal("19")
    assert me_calls(timed_sandbox, Product.VOICE) == 5
    assert time.slept == []  # nobody waited for the window

    time.now += 60  # the window moved on: the vendor is asked again
    current = await voice.fetch_me()
    assert not current.stale and current.value.balance == Decimal("3")
    assert me_calls(timed_sandbox, Product.VOICE) == 6


async def test_a_spent_window_with_nothing_known_says_when_to_try_again(
    timed_sandbox: Sandbox, time: FakeTime
) -> None:
    # Another process spent the vendor's window: this one has nothing to show and is told 429.
    async with PartnerTransport(clock=time.clock, sleep=time.sleep) as other:
        other_voice = VoiceClient(other, DEMO_VOICE_KEY, timed_sandbox.url(Product.VOICE))
        for _ in range(5):
            await other_voice.me(fresh=True)
    time.now += 20
    async with PartnerTransport(clock=time.clock, sleep=time.sleep) as transport:
        voice = VoiceClient(transport, DEMO_VOICE_KEY, timed_sandbox.url(Product.VOICE))
        with pytest.raises(RateLimited) as limited:
            await voice.me()
    assert limited.value.retry_in == 40
    assert "try again in 40 s" in limited.value.detail
    assert time.slept == []
    assert [c.http_status for c in timed_sandbox.calls(product=Product.VOICE)] == [200] * 5 + [429]


async def test_our_own_window_spent_with_nothing_known_raises_without_calling(
    timed_sandbox: Sandbox, time: FakeTime
) -> None:
    async with PartnerTransport(clock=time.clock, sleep=time.sleep, cache_ttl=1.0) as transport:
        voice = VoiceClient(transport, DEMO_VOICE_KEY, timed_sandbox.url(Product.VOICE))
        for _ in range(5):
            await voice.me()
            time.now += 2
        transport.reads.last_known_ttl = 5.0  # what was known is too old to show
        time.now += 10
        with pytest.raises(RateLimited) as limited:
            await voice.me()
    assert limited.value.retry_in == 40  # the first of five went at 1000; it is now 1020
    assert me_calls(timed_sandbox, Product.VOICE) == 5
    assert time.slept == []


async def test_subaccount_pages_are_read_side_by_side_within_the_per_key_limit(
    sandbox: Sandbox,
) -> None:
    account = sandbox.add_account(Product.SMS, subaccounts=1000)
    sandbox.inject(Fault(FaultKind.LATENCY, endpoint="/subaccount/list", times=None, delay=0.02))
    async with PartnerTransport(per_key_concurrency=4) as transport:
        sms = SmsClient(transport, account.api_key, sandbox.url(Product.SMS))
        found = await sms.all_subaccounts()
    assert [s.token for s in found] == [s.token for s in account.subaccounts]
    pages = sorted(int(c.params["page"]) for c in sandbox.calls(endpoint="/subaccount/list"))
    assert pages == list(range(1, 51))
    assert sandbox.max_concurrency(account.api_key) == 4


async def test_the_cache_is_bounded_and_forgets_the_least_recently_used() -> None:
    time = FakeTime()
    cache = ReadCache(clock=time.clock, max_entries=3)

    async def answer() -> dict[str, object]:
        return {"success": True}

    keys = [("key", "/me", str(n)) for n in range(5)]
    for key in keys[:3]:
        await cache.shared(key, answer)
    assert cache.recent(keys[0]) is not None  # used again: now the most recent
    for key in keys[3:]:
        await cache.shared(key, answer)
    assert len(cache) == 3
    assert [cache.recent(k) is not None for k in keys] == [True, False, False, True, True]
