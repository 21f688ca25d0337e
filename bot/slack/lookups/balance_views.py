from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import (
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.i18n.formatting import duration, joined, money, number
from bot.partner.errors import RateLimited
from bot.partner.models import MailAccount, SmsAccount, VoiceAccount, VoiceDuration
from bot.services.balances import BalanceReading
from bot.slack.blocks import escape
from bot.slack.errors import message_for
from bot.slack.lookups import balance_texts as text
from bot.slack.views.reply import Reply


def balance_reply(readings: Sequence[BalanceReading]) -> Reply:
    blocks: list = [HeaderBlock(text=str(text.TITLE))]
    summary = []
    for reading in readings:
        blocks.append(DividerBlock())
        if reading.account is None:
            assert reading.failure is not None
            if isinstance(reading.failure, RateLimited):
                shown = text.RATE_LIMITED.format(
                    product=reading.product.label, seconds=reading.failure.retry_in
                )
            else:
                reason = message_for(reading.failure)
                shown = text.UNREADABLE.format(product=reading.product.label, reason=reason)
            blocks.append(SectionBlock(text=shown))
            summary.append(text.SUMMARY_UNAVAILABLE.format(product=reading.product.label))
            continue
        account = reading.account
        amount = money(account.balance, account.currency)
        summary.append(f"{reading.product.label} {amount}")
        blocks.append(
            SectionBlock(
                text=f"*{reading.product.label}*",
                fields=[MarkdownTextObject(text=f) for f in _fields(account, amount)],
            )
        )
        if reading.stale_age is not None:
            blocks.append(ContextBlock(elements=[MarkdownTextObject(text=_as_of(reading))]))
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=str(text.READ_AT))]))
    return Reply(text=text.FALLBACK.format(summary=joined(summary)), blocks=blocks)


def _fields(account: SmsAccount | MailAccount | VoiceAccount, amount: str) -> list[str]:
    fields = [text.BALANCE.format(amount=amount)]
    match account:
        case SmsAccount():
            fields += [
                text.ACCOUNT.format(username=escape(account.user.username) or "—"),
                text.sms_credits(account.credit_sms).format(count=number(account.credit_sms)),
                text.sms_eco_credits(account.credit_sms_eco).format(
                    count=number(account.credit_sms_eco)
                ),
                text.HLR_CREDITS.format(count=number(account.credit_hlr)),
                text.TO_SEND.format(count=number(account.to_send)),
            ]
        case MailAccount():
            fields += [
                text.ACCOUNT.format(username=escape(account.user.username) or "—"),
                text.MAIL_CREDITS.format(count=number(account.credit_mail)),
            ]
        case VoiceAccount():
            if account.tts:
                fields.append(text.TTS.format(duration=_duration(account.tts)))
            if account.tts_fixe:
                fields.append(text.TTS_FIXE.format(duration=_duration(account.tts_fixe)))
            if account.voice_messages is not None:
                fields.append(text.VOICE_MESSAGES.format(count=number(account.voice_messages)))
    return fields


def _as_of(reading: BalanceReading) -> str:
    """How old a figure shown from before is (only ever set when it is older than a moment)."""
    assert reading.stale_age is not None
    seconds = max(1, round(reading.stale_age))
    if seconds < 120:
        return text.AS_OF_SECONDS.format(seconds=seconds)
    return text.AS_OF_MINUTES.format(minutes=seconds // 60)


def _duration(voice: VoiceDuration) -> str:
    # The vendor's example has 66 seconds: normalise rather than print "5 h 55 min 66 s".
    return duration(voice.hours * 3600 + voice.minutes * 60 + voice.seconds)
