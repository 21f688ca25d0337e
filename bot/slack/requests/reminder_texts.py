"""Text of the reminders and the escalation of a request still waiting for a decision: a DM
in its reader's language, a line in the card's thread in the channel's."""

from bot.i18n import _l, ngettext

REMIND_DM = _l(
    ":alarm_clock: Request #{number} ({what}, asked by <@{requester}>) has been waiting for a "
    "decision for {waited}. Its card is in {channel}: approve or reject it there, or with "
    "`/partner approve {number}`. It expires {expires}."
)
REMIND_THREAD = _l(
    ":alarm_clock: Still waiting for a decision after {waited}: the approvers were reminded."
)
ESCALATE_DM = _l(
    ":rotating_light: Request #{number} ({what}, asked by <@{requester}>) has been waiting for "
    "its approvers for {waited}: you are told as an admin. Its card is in {channel}; it "
    "expires {expires}."
)
ESCALATE_THREAD = _l(":rotating_light: Still waiting after {waited}: brought to the admins.")
NO_CHANNEL = _l("the approvals channel")


def waited(hours: int) -> str:
    return ngettext("{count} hour", "{count} hours", hours)
