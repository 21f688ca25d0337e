"""A closed transport refuses calls instead of opening a session nobody would close."""

from __future__ import annotations

import pytest

from bot.partner.client import SmsClient
from bot.partner.models import Product
from bot.partner.transport import PartnerTransport, TransportClosed
from devkit.sandbox import DEMO_SMS_KEY, Sandbox
from tests.partner.conftest import FAST_RETRY


async def test_calls_after_close_are_refused_and_open_nothing(sandbox: Sandbox) -> None:
    transport = PartnerTransport(retry=FAST_RETRY)
    sms = SmsClient(transport, DEMO_SMS_KEY, sandbox.url(Product.SMS))
    assert (await sms.me()).balance >= 0
    await transport.close()
    assert transport.closed

    calls_before = len(sandbox.journal)
    with pytest.raises(TransportClosed, match="shutting down"):
        await sms.me()
    assert not transport._sessions.opened  # no new session was opened
    assert len(sandbox.journal) == calls_before  # nothing was sent

    await transport.close()  # closing twice is harmless


async def test_a_transport_closed_before_first_use_refuses_too(sandbox: Sandbox) -> None:
    transport = PartnerTransport()
    await transport.close()
    with pytest.raises(TransportClosed):
        await SmsClient(transport, DEMO_SMS_KEY, sandbox.url(Product.SMS)).me()
