"""Text of spend-anomaly alerts and `/partner anomaly …`, in the reader's language: the card
in its channel's, a DM in the admin's or approver's, replies in the asker's or clicker's.
Amounts, times and durations come formatted."""

from bot.i18n import _l, ngettext

CARD = _l(
    ":chart_with_upwards_trend: *{product}*: *{email}* is spending fast: *{spent}* in the "
    "last hour, against a usual {usual} an hour at this time of the week."
)
CARD_COLD = _l(
    ":chart_with_upwards_trend: *{product}*: *{email}* is spending fast: *{spent}* in the "
    "last hour. It has less than 7 days of history: the workspace's floor is {floor} an hour."
)
SINCE = _l("Running high since {since}.")
EMPTY_IN = _l("At this rate ({rate} an hour) its balance of {balance} lasts {left}.")
NOT_EMPTYING = _l("Balance: {balance}.")
SPARKLINE = _l("Last 24 h: {sparkline}")
FALLBACK = _l("Spend anomaly: {email} spent {spent} in the last hour")
EXPECTED = _l("Expected (campaign)")
NOT_AN_ISSUE = _l("Not an issue")
MARKED_EXPECTED = _l(
    ":white_check_mark: <@{user}> marked this as expected (a campaign): kept out of the "
    "subaccount's usual spend, and no alert for it until {until}."
)
MARKED_NOT_AN_ISSUE = _l(
    ":white_check_mark: <@{user}> marked this as not an issue: this spend now counts as "
    "normal for the subaccount."
)
ALREADY_MARKED = _l("<@{user}> already gave a verdict on this alert.")
INCIDENT_GONE = _l("This alert is no longer known: nothing was recorded.")
FEEDBACK_ACTION = _l("give a verdict on spend alerts")

MINUTES = _l("about {count} min")
HOURS = _l("about {count} h")

USAGE = _l(
    "Write it as `/partner anomaly floor &lt;EUR per hour&gt;` or "
    "`/partner [product] anomaly export [days]` (1 to 35 days, 7 if you leave it out)."
)
FLOOR_SHOWN = _l(
    "Spend alerts: a subaccount with less than 7 days of history is alerted above {floor} "
    "an hour. {usage}"
)
FLOOR_SET = _l(
    ":bell: A subaccount with less than 7 days of history is now alerted when it spends more "
    "than {floor} in an hour."
)
FLOOR_ADMINS_ONLY = _l("set the spend alert floor")
ADMINS = _l("admins")
EXPORT_TITLE = _l("{product} spend ledger")
EXPORT_SENT = _l(":inbox_tray: The {product} spend ledger is on its way to you by direct message.")


def days_left(n: int) -> str:
    return ngettext("about {count} day", "about {count} days", n)


def export_comment(days: int) -> str:
    return ngettext(
        "{product} spend ledger of the last {count} day: {readings} rows, {subaccounts} "
        "subaccounts (the format `python -m bot anomalies replay` reads).",
        "{product} spend ledger of the last {count} days: {readings} rows, {subaccounts} "
        "subaccounts (the format `python -m bot anomalies replay` reads).",
        days,
    )


def export_empty(days: int) -> str:
    return ngettext(
        "No {product} readings in the last {count} day yet: nothing to export.",
        "No {product} readings in the last {count} days yet: nothing to export.",
        days,
    )
