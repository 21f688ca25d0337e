"""Refusals of requests from outside the workspace, or beyond what a guest may do."""

from bot.i18n import _l

CROSS_WORKSPACE = _l(
    ":no_entry: This request names another Slack workspace than the one it came through, "
    "so nothing was done. It was recorded in the audit trail."
)
STRANGER = _l(
    ":no_entry: Partner Ops answers members of this workspace only, and Slack says you are not "
    "one (you may be in a channel shared with another organisation). Nothing was done."
)
GUEST = _l(
    ":no_entry: Guests can look at balances, subaccounts, their requests and the policy, but "
    "cannot ask for changes, decide on requests or change settings. Nothing was done."
)
