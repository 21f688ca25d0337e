"""Injected faults: each ends in the right error class, GETs are retried, POSTs never are."""

from __future__ import annotations

import socket
from decimal import Decimal

import pytest

from bot.partner.client import SmsClient
from bot.partner.errors import PartnerError, PartnerOutcomeUnknown, PartnerUnavailable
from bot.partner.models import Product
from bot.partner.transport import PartnerTransport, RetryPolicy, Timeouts
from devkit.sandbox import DEMO_SMS_KEY, Fault, FaultKind, Sandbox
from tests.conftest import assert_no_secret
from tests.partner.conftest import FAST_RETRY, HANG_TIMEOUT, TOTAL_TIMEOUT
from tests.partner.scripted import ScriptedServer

KEY = "scripted-key-0123456789"


@pytest.fixture
def total_timeout(request: pytest.FixtureRequest) -> float:
    # Only a hanging vendor is waited out; the other faults answer at once, at any timeout.
    params = getattr(request.node, "callspec", None)
    hangs = params is not None and params.params.get("kind") is FaultKind.HANG
    return HANG_TIMEOUT if hangs else TOTAL_TIMEOUT


GET_FAULTS = [
    FaultKind.HTTP_500,
    FaultKind.HTML_PAGE,
    FaultKind.HANG,
    FaultKind.DROP_BEFORE_APPLY,
    FaultKind.HTTP_429,
]


@pytest.mark.parametrize("kind", GET_FAULTS)
async def test_get_is_retried_through_a_passing_fault(
    kind: FaultKind, sms: SmsClient, sandbox: Sandbox
) -> None:
    sandbox.inject(Fault(kind, endpoint="/me", times=1, retry_after="0.01"))
    account = await sms.me()
    assert account.balance == Decimal("10225.119")
    calls = sandbox.calls(endpoint="/me")
    assert [c.fault for c in calls] == [kind, None]


@pytest.mark.parametrize("kind", [*GET_FAULTS, FaultKind.EMPTY_BODY, FaultKind.INVALID_JSON])
async def test_get_gives_unavailable_when_the_fault_persists(
    kind: FaultKind, sms: SmsClient, sandbox: Sandbox
) -> None:
    sandbox.inject(Fault(kind, endpoint="/me", times=None, retry_after="0.01"))
    with pytest.raises(PartnerUnavailable) as caught:
        await sms.me()
    assert not isinstance(caught.value, PartnerOutcomeUnknown)
    assert caught.value.product is Product.SMS
    assert_no_secret(caught.value, sandbox.secrets())
    expected = 1 if kind in (FaultKind.EMPTY_BODY, FaultKind.INVALID_JSON) else FAST_RETRY.attempts
    assert len(sandbox.calls(endpoint="/me")) == expected


async def test_latency_under_the_timeout_is_just_slow(sms: SmsClient, sandbox: Sandbox) -> None:
    sandbox.inject(Fault(FaultKind.LATENCY, endpoint="/me", delay=0.2))
    assert (await sms.me()).balance == Decimal("10225.119")
    assert len(sandbox.calls(endpoint="/me")) == 1


@pytest.mark.parametrize(
    ("kind", "error", "applied"),
    [
        # The server got the request and then failed: the move may have happened.
        (FaultKind.HTTP_500, PartnerOutcomeUnknown, False),
        (FaultKind.HTML_PAGE, PartnerOutcomeUnknown, False),
        (FaultKind.EMPTY_BODY, PartnerOutcomeUnknown, False),
        (FaultKind.INVALID_JSON, PartnerOutcomeUnknown, False),
        (FaultKind.HANG, PartnerOutcomeUnknown, False),
        (FaultKind.DROP_BEFORE_APPLY, PartnerOutcomeUnknown, False),
        (FaultKind.DROP_AFTER_APPLY, PartnerOutcomeUnknown, True),
        # Rate limiting turns the request away before it is handled.
        (FaultKind.HTTP_429, PartnerUnavailable, False),
    ],
)
async def test_a_credit_move_is_never_retried(
    kind: FaultKind, error: type[Exception], applied: bool, sms: SmsClient, sandbox: Sandbox
) -> None:
    account = sandbox.accounts[DEMO_SMS_KEY]
    sub = account.subaccounts[0]
    main, held, total = account.balance, sub.balance, account.total()
    sandbox.inject(Fault(kind, endpoint="/subaccount/credit/add", times=None))

    with pytest.raises(error) as caught:
        await sms.add_credit(sub.token, Decimal("10"))

    assert type(caught.value) is error
    [call] = sandbox.calls(endpoint="/subaccount/credit/add")  # exactly one: no retry
    assert call.applied is applied
    moved = Decimal("10") if applied else Decimal(0)
    assert (account.balance, sub.balance) == (main - moved, held + moved)
    assert account.total() == total
    assert_no_secret(caught.value, sandbox.secrets())
    if error is PartnerOutcomeUnknown:
        assert "may or may not" in str(caught.value)


@pytest.mark.parametrize("kind", [FaultKind.DROP_BEFORE_APPLY, FaultKind.DROP_AFTER_APPLY])
async def test_a_delete_is_never_resent(kind: FaultKind, sms: SmsClient, sandbox: Sandbox) -> None:
    account = sandbox.accounts[DEMO_SMS_KEY]
    await sms.me()  # a pooled connection exists: aiohttp would resend on a reused one
    token = account.subaccounts[0].token
    sandbox.inject(Fault(kind, method="DELETE"))
    with pytest.raises(PartnerOutcomeUnknown):
        await sms.delete_subaccount(token)
    [call] = sandbox.calls(method="DELETE")
    assert call.applied is (kind is FaultKind.DROP_AFTER_APPLY)
    assert any(s.token == token for s in account.subaccounts) is not call.applied


async def test_drop_after_apply_on_delete_is_outcome_unknown(
    sms: SmsClient, sandbox: Sandbox
) -> None:
    token = sandbox.accounts[DEMO_SMS_KEY].subaccounts[0].token
    sandbox.inject(Fault(FaultKind.DROP_AFTER_APPLY, method="DELETE"))
    with pytest.raises(PartnerOutcomeUnknown):
        await sms.delete_subaccount(token)
    [call] = sandbox.calls(method="DELETE")
    assert call.applied


async def test_refused_connection_means_nothing_was_sent(transport: PartnerTransport) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = SmsClient(transport, KEY, f"http://127.0.0.1:{port}/sms/v1")
    with pytest.raises(PartnerUnavailable) as caught:
        await client.add_credit("tok", Decimal(1))
    assert type(caught.value) is PartnerUnavailable
    assert "could not be sent" in str(caught.value)
    with pytest.raises(PartnerUnavailable):
        await client.me()
    assert_no_secret(caught.value, [KEY])


async def test_429_waits_as_told_by_retry_after(
    scripted: ScriptedServer, transport: PartnerTransport
) -> None:
    scripted.answer(429, text="slow down", headers={"Retry-After": "0.05"})
    scripted.answer(429, text="", headers={"x-ratelimit-reset": "0.05"})
    scripted.answer(200, {"success": True, "code": 200, "credits": {"balance": "1.000"}})
    account = await SmsClient(transport, KEY, scripted.url).me()
    assert account.balance == Decimal(1)
    assert len(scripted.received) == 3


async def test_a_wait_longer_than_allowed_is_an_error_not_a_stall(
    scripted: ScriptedServer,
) -> None:
    scripted.answer(429, text="", headers={"Retry-After": "3600"})
    sleeps: list[float] = []

    async def record(seconds: float) -> None:
        sleeps.append(seconds)

    async with PartnerTransport(retry=FAST_RETRY, sleep=record) as transport:
        with pytest.raises(PartnerUnavailable, match="429"):
            await SmsClient(transport, KEY, scripted.url).me()
    assert sleeps == [] and len(scripted.received) == 1


async def test_backoff_grows_and_is_jittered(scripted: ScriptedServer) -> None:
    scripted.answer(503, text="busy", times=4)
    sleeps: list[float] = []

    async def record(seconds: float) -> None:
        sleeps.append(seconds)

    policy = RetryPolicy(attempts=4, base_delay=1.0, max_delay=3.0)
    async with PartnerTransport(retry=policy, sleep=record) as transport:
        with pytest.raises(PartnerUnavailable, match="503"):
            await SmsClient(transport, KEY, scripted.url).me()
    assert len(sleeps) == 3 and len(scripted.received) == 4
    for retry_number, slept in enumerate(sleeps):
        assert 0 <= slept <= min(3.0, 2**retry_number)


async def test_vendor_404_body_on_delete_is_not_a_missing_path(
    scripted: ScriptedServer, transport: PartnerTransport
) -> None:
    scripted.answer(404, {"success": False, "code": 404, "message": "Sous-compte introuvable"})
    with pytest.raises(PartnerError) as caught:
        await SmsClient(transport, KEY, scripted.url).delete_subaccount("tok")
    assert caught.value.code == 404
    assert [r.path for r in scripted.received] == ["/subaccount/delete"]


async def test_delete_falls_back_on_405(
    scripted: ScriptedServer, transport: PartnerTransport
) -> None:
    scripted.answer(405, text="<html>Method Not Allowed</html>")
    scripted.answer(200, {"success": True, "code": 200})
    await SmsClient(transport, KEY, scripted.url).delete_subaccount("tok")
    assert [r.path for r in scripted.received] == ["/subaccount/delete", "/subaccount/remove"]
    assert scripted.received[1].body == {"apiKey": KEY, "token": "tok"}


async def test_timeouts_are_configurable(sandbox: Sandbox) -> None:
    sandbox.inject(Fault(FaultKind.LATENCY, endpoint="/subaccount/credit/add", delay=0.6))
    async with PartnerTransport(timeouts=Timeouts(connect=1, total=0.3)) as transport:
        client = SmsClient(transport, DEMO_SMS_KEY, sandbox.url(Product.SMS))
        token = sandbox.accounts[DEMO_SMS_KEY].subaccounts[0].token
        with pytest.raises(PartnerOutcomeUnknown, match="timed out"):
            await client.add_credit(token, Decimal(1))
