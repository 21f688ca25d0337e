"""Text of low-balance alerts and `/partner alert …`, in the reader's language: an alert in
its channel's (bot.slack.locale.channel_language), replies and the top-up form in the
clicker's or asker's. Amounts and counts come formatted."""

from bot.i18n import _l, ngettext

MAIN_WARN = _l(
    ":warning: *{product}*: the main account is down to *{balance}*, below its warning "
    "threshold of {threshold}."
)
MAIN_CRITICAL = _l(
    ":rotating_light: *{product}*: the main account is down to *{balance}*, below its "
    "critical threshold of {threshold}."
)
MAIN_WHO = _l("Credit is bought from the vendor by the account holder: ask {who}.")
MAIN_WHO_DEFAULT = _l("a workspace admin")
SUBACCOUNT = _l(":warning: *{product}*: *{email}* is down to *{balance}*, below {threshold}.")
SUMMARY_ROW = _l("• *{email}*: {balance}, below {threshold} (top-up of {top_up} brings it back)")
SUMMARY_HINT = _l(
    "Ask for a top-up with `/partner credit add <subaccount> <amount>`. Each subaccount is "
    "alerted again only after it has recovered."
)
TOP_UP = _l("Request top-up")
SNOOZE = _l("Snooze 24 h")
SNOOZED = _l(":zzz: Alerts for {what} are snoozed until {until} (by <@{user}>).")
FALLBACK = _l("Low balance: {what} at {balance}")

CHANNEL_SET = _l(":bell: Low-balance alerts will be posted in <#{channel}>.")
THRESHOLD_SET = _l(":bell: {what}: alert below {warn}{critical}.")
CRITICAL = _l(", critical below {critical}")
WHAT_MAIN = _l("{product} main account")
WHAT_DEFAULT = _l("Every {product} subaccount (unless it has its own threshold)")
WHAT_ONE = _l("{product} subaccount {email}")
ALREADY_BELOW = _l(" {what} is already below it, at {balance}.")
THE_MAIN_ACCOUNT = _l("The main account")
ALERTED_NOW = _l(" The alert is posted in <#{channel}> now.")
NO_CHANNEL_YET = _l(
    " No alert channel yet: run `/partner alert channel` in the channel that should get them."
)
LIST_TITLE = _l("Low-balance alerts")
LIST_CHANNEL = _l("Alerts go to <#{channel}>.")
LIST_NO_CHANNEL = _l(
    "No alert channel yet: run `/partner alert channel` in the channel that should get them."
)
LIST_EMPTY = _l(
    "No thresholds yet: `/partner alert main 500 100`, `/partner alert subaccounts 10`."
)
LIST_ROW = _l("• {what}: below {warn}{critical}")
ADMINS = _l("admins")
ADMINS_ONLY = _l("set alerts")
SNOOZE_ADMINS_ONLY = _l("snooze alerts")

TOPUP_TITLE = _l("Request a top-up")
TOPUP_INTRO = _l(
    "Top up *{email}* ({product}) from the main account. It goes through approval like any "
    "credit move."
)
TOPUP_AMOUNT = _l("Amount (EUR)")
TOPUP_REASON = _l("Reason")
TOPUP_SUBMIT = _l("Request")
TOPUP_CLOSE = _l("Cancel")


def summary(n: int) -> str:
    """Plurals by the language's rules: call with the count, then `.format(…)`."""
    return ngettext(
        ":warning: *{product}*: {count} subaccount is below its alert threshold.",
        ":warning: *{product}*: {count} subaccounts are below their alert threshold.",
        n,
    )


def summary_more(n: int) -> str:
    return ngettext(
        "… and {count} more: `/partner alert list` shows the thresholds.",
        "… and {count} more: `/partner alert list` shows the thresholds.",
        n,
    )


def summary_fallback(n: int) -> str:
    return ngettext(
        "Low balance: {count} {product} subaccount below its threshold",
        "Low balance: {count} {product} subaccounts below their threshold",
        n,
    )


def already_below(n: int) -> str:
    return ngettext(
        " {count} subaccount is already below it.",
        " {count} subaccounts are already below it.",
        n,
    )
