"""Text of `/partner balance`, in the reader's language (bot.i18n: English here, French in
bot/i18n/locales/fr/LC_MESSAGES/messages.po). Counts and amounts come formatted."""

from bot.i18n import _l, ngettext

TITLE = _l("Main account balances")
FALLBACK = _l("Balances: {summary}")
SUMMARY_UNAVAILABLE = _l("{product}: unavailable")
BALANCE = _l("*Balance*\n{amount}")
ACCOUNT = _l("*Account*\n{username}")
HLR_CREDITS = _l("*HLR lookups*\n{count}")
TO_SEND = _l("*Waiting to send*\n{count}")
MAIL_CREDITS = _l("*E-mails*\n{count}")
TTS = _l("*Text-to-speech*\n{duration}")
TTS_FIXE = _l("*Text-to-speech (landlines)*\n{duration}")
VOICE_MESSAGES = _l("*Voice messages*\n{count}")
UNREADABLE = _l("*{product}*: could not be read. {reason}")
READ_AT = _l("Read from the vendor just now.")
RATE_LIMITED = _l(
    "*{product}*: the vendor allows only a few balance reads a minute and they are used up. "
    "Try again in {seconds} s."
)
AS_OF_SECONDS = _l("_As of {seconds} s ago: the vendor allows only a few reads a minute._")
AS_OF_MINUTES = _l("_As of {minutes} min ago: the vendor allows only a few reads a minute._")


def sms_credits(n: int) -> str:
    """A plural by the language's rules: call, then `.format(count=…)`."""
    return ngettext("*SMS (premium)*\n{count} message", "*SMS (premium)*\n{count} messages", n)


def sms_eco_credits(n: int) -> str:
    return ngettext("*SMS (eco)*\n{count} message", "*SMS (eco)*\n{count} messages", n)
