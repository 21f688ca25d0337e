"""`/partner balance` when the vendor's rate limit is spent: an older figure with its age, or
when to try again, at once: never a silent wait."""

from __future__ import annotations

import re
from decimal import Decimal

from bot.partner.client import VoiceClient
from bot.partner.models import Product
from bot.partner.transport import PartnerTransport
from devkit.sandbox import DEMO_VOICE_KEY
from tests.slack.harness import Harness, reply_text


def voice_calls(slack: Harness) -> int:
    return len(slack.sandbox.calls(product=Product.VOICE, endpoint="/me"))


async def test_a_spent_voice_window_shows_the_last_figure_with_its_age(slack: Harness) -> None:
    slack.runtime.transport.reads.ttl = 0  # no display cache: every balance asks the vendor
    for _ in range(5):
        assert "€19.00" in reply_text(await slack.ask("voice balance"))
    assert voice_calls(slack) == 5
    slack.sandbox.account(DEMO_VOICE_KEY).balance = Decimal("3")

    text = reply_text(await slack.ask("voice balance"))
    assert "€19.00" in text  # the last figure known, not a wait for the window
    assert re.search(r"As of \d+ s ago: the vendor allows only a few reads a minute", text)
    assert voice_calls(slack) == 5


async def test_a_spent_window_with_nothing_known_says_when_to_try_again(
    slack: Harness,
) -> None:
    # Another process used up the vendor's five reads of this minute.
    async with PartnerTransport() as other:
        voice = VoiceClient(other, DEMO_VOICE_KEY, slack.sandbox.url(Product.VOICE))
        for _ in range(5):
            await voice.me(fresh=True)
    text = reply_text(await slack.ask("balance"))
    assert "Voice Partner*: the vendor allows only a few balance reads a minute" in text
    [seconds] = re.findall(r"Try again in (\d+) s", text)
    assert 50 <= int(seconds) <= 60
    assert "€10,225.119" in text  # the other products are shown as usual
    assert [c.http_status for c in slack.sandbox.calls(product=Product.VOICE)][-1] == 429
