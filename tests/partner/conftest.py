from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.partner.client import MailClient, SmsClient, VoiceClient
from bot.partner.models import Product
from bot.partner.transport import PartnerTransport, RetryPolicy, Timeouts
from devkit.sandbox import DEMO_MAIL_KEY, DEMO_SMS_KEY, DEMO_VOICE_KEY, Sandbox
from tests.conftest import SecretsGuard
from tests.partner.scripted import ScriptedServer

FAST_RETRY = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.02, max_wait=2.0)
TOTAL_TIMEOUT = 1.5
HANG_TIMEOUT = 0.3
"""For a vendor that hangs: waited out once a try, the same giving up at any length."""


@pytest.fixture
async def sandbox(secrets_guard: SecretsGuard) -> AsyncIterator[Sandbox]:
    async with Sandbox() as running:
        secrets_guard.watch(running.secrets())
        yield running
        # Subaccounts created during the test have keys of their own.
        secrets_guard.watch(running.secrets())


@pytest.fixture
def total_timeout() -> float:
    """The client's total timeout; tests of a hanging vendor override it with HANG_TIMEOUT."""
    return TOTAL_TIMEOUT


@pytest.fixture
async def transport(total_timeout: float) -> AsyncIterator[PartnerTransport]:
    timeouts = Timeouts(connect=1.0, total=total_timeout)
    async with PartnerTransport(timeouts=timeouts, retry=FAST_RETRY) as t:
        yield t


@pytest.fixture
def sms(sandbox: Sandbox, transport: PartnerTransport) -> SmsClient:
    return SmsClient(transport, DEMO_SMS_KEY, sandbox.url(Product.SMS))


@pytest.fixture
def mail(sandbox: Sandbox, transport: PartnerTransport) -> MailClient:
    return MailClient(transport, DEMO_MAIL_KEY, sandbox.url(Product.MAIL))


@pytest.fixture
def voice(sandbox: Sandbox, transport: PartnerTransport) -> VoiceClient:
    return VoiceClient(transport, DEMO_VOICE_KEY, sandbox.url(Product.VOICE))


@pytest.fixture
async def scripted(secrets_guard: SecretsGuard) -> AsyncIterator[ScriptedServer]:
    secrets_guard.watch(["scripted-key-0123456789"])
    async with ScriptedServer() as server:
        yield server
