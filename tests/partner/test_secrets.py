"""API keys stay out of reprs, exception texts and tracebacks."""

from __future__ import annotations

import logging
from decimal import Decimal

import pytest

from bot.partner.client import SmsClient, VoiceClient
from bot.partner.errors import PartnerFailure
from bot.partner.models import Product
from bot.partner.transport import PartnerTransport
from devkit.sandbox import DEMO_SMS_KEY, DEMO_VOICE_KEY, Fault, FaultKind, Sandbox
from tests.conftest import SecretsGuard, assert_no_secret
from tests.partner.conftest import HANG_TIMEOUT


async def test_client_repr_shows_only_a_fingerprint(transport: PartnerTransport) -> None:
    client = SmsClient(transport, "super-secret-key-7f3a")
    assert "super-secret" not in repr(client)
    assert "…7f3a" in repr(client)


@pytest.mark.parametrize("total_timeout", [HANG_TIMEOUT])  # one of the failures is a hang
async def test_failures_logged_with_tracebacks_hold_no_key(
    sandbox: Sandbox, transport: PartnerTransport, secrets_guard: SecretsGuard
) -> None:
    """Log every failure the way an app would (logger.exception) and let the guard look."""
    sms = SmsClient(transport, DEMO_SMS_KEY, sandbox.url(Product.SMS))
    voice = VoiceClient(transport, DEMO_VOICE_KEY, sandbox.url(Product.VOICE))
    token = sandbox.accounts[DEMO_SMS_KEY].subaccounts[0].token
    attempts = [
        (Fault(FaultKind.HTML_PAGE, times=None), sms.me()),
        (Fault(FaultKind.HANG, times=None), voice.me()),
        (Fault(FaultKind.DROP_AFTER_APPLY), sms.add_credit(token, Decimal(1))),
        (Fault(FaultKind.INVALID_JSON), sms.list_subaccounts()),
    ]
    for fault, call in attempts:
        sandbox.clear_faults()
        sandbox.inject(fault)
        with pytest.raises(PartnerFailure) as caught:
            await call
        assert_no_secret(caught.value, sandbox.secrets())
        logging.getLogger("test").error("call failed", exc_info=caught.value)
    assert len(secrets_guard.lines) >= len(attempts)


def test_the_guard_catches_a_logged_secret(secrets_guard: SecretsGuard) -> None:
    secrets_guard.watch(["leaky-key-123456"])
    logging.getLogger("bot.partner").debug("GET /me?apiKey=%s", "leaky-key-123456")
    assert secrets_guard.leaks()
    secrets_guard.lines.clear()  # the leak was staged: let teardown pass
