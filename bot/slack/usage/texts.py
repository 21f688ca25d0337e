"""Text of `/partner usage …` (French `consommation`), in the asker's language."""

from bot.i18n import _l, ngettext

USAGE = _l(
    "Write it as `/partner [product] usage [YYYY-MM] [subaccount]`: the month (the current one "
    "if you leave it out) and one subaccount (all of them if you leave it out)."
)
NOT_A_MONTH = _l("`{typed}` is not a month: write it as YYYY-MM, e.g. `2026-11`.")
NO_SUBACCOUNTS = _l("Voice Partner has no subaccounts: ask for `sms` or `mail` usage.")
FUTURE = _l("{month} has not begun yet ({zone} time): there is no usage to state.")
NO_LONGER_KEPT = _l(
    "{month} can no longer be stated: the spend ledger keeps readings for {days} days, and "
    "the month's first ones are gone, so its statement would miss its start. Ask for a "
    "month's statement within the first {by} days of the following month."
)
ACTION = _l("get usage statements")
WHO = _l("Partner Ops admins and approvers")
PERIOD = _l("{month} ({zone} time)")
PERIOD_TO_DATE = _l("{month} to date ({zone} time, up to {until})")
EMPTY = _l(
    "No readings for {period}{subaccount}: nothing to state. The spend ledger keeps 36 days "
    "of readings, taken since the worker started reading balances."
)
FOR_SUBACCOUNT = _l(" for {subaccount}")
TITLE = _l("Usage statement {month}")
COMMENT = _l(
    "Usage statement for {period}{subaccount}: {lines} and a totals row, amounts in EUR "
    "to the cent. `spent` counts what the balances show was used; `outside_topups` is credit "
    "added outside Partner Ops (its interval's spend is unknown: `unknown_intervals`); "
    "`app_added` and `app_removed` are the moves made here."
)
SENT = _l(":inbox_tray: The usage statement for {period} is on its way to you by direct message.")


def lines(count: int) -> str:
    """ "3 lines", to `.format(lines=…)` with the count already formatted."""
    return ngettext("{lines} subaccount line", "{lines} subaccount lines", count)
