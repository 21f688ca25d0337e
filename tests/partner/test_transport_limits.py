"""Per-key concurrency and the Voice `/me` rate limit."""

from __future__ import annotations

import asyncio

from bot.partner.client import SmsClient, VoiceClient
from bot.partner.models import Product
from bot.partner.transport import PartnerTransport
from devkit.sandbox import DEMO_VOICE_KEY, Sandbox
from tests.conftest import SecretsGuard
from tests.partner.scripted import ScriptedServer

ME = {"success": True, "code": 200, "credits": {"balance": "1.000"}}


async def test_concurrency_is_limited_per_key(scripted: ScriptedServer) -> None:
    scripted.always(200, ME, delay=0.1)
    async with PartnerTransport(per_key_concurrency=2) as transport:
        one = SmsClient(transport, "scripted-key-0123456789", scripted.url)
        await asyncio.gather(*(one.me(fresh=True) for _ in range(6)))
        assert scripted.max_in_flight == 2

        scripted.max_in_flight = 0
        other = SmsClient(transport, "scripted-key-9876543210", scripted.url)
        await asyncio.gather(*(c.me(fresh=True) for c in (one, one, other, other)))
        assert scripted.max_in_flight == 4  # another key has slots of its own


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


async def test_fresh_voice_me_keeps_to_five_a_minute(secrets_guard: SecretsGuard) -> None:
    time = FakeTime()
    async with Sandbox(clock=time.clock) as sandbox:
        secrets_guard.watch(sandbox.secrets())
        async with PartnerTransport(clock=time.clock, sleep=time.sleep) as transport:
            voice = VoiceClient(transport, DEMO_VOICE_KEY, sandbox.url(Product.VOICE))
            for _ in range(7):
                await voice.me(fresh=True)
        statuses = [c.http_status for c in sandbox.calls(product=Product.VOICE)]
    assert statuses == [200] * 7  # never tripped the vendor's limit
    assert time.now - 1000.0 >= 60.0  # the sixth (money) read waited for the window to move
    assert len(time.slept) == 1
