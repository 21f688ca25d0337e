"""Text of the audit trail and its export beyond the action words (bot.slack.admin.texts):
the words for codes inside an entry's details, and every count of days or entries."""

from bot.i18n import _l, ngettext

# A counted approval, as its line says it: the merged "approved" of the click that completes
# the count, or one approval of several.
APPROVED_COUNT = _l("approved ({count} of {needed})")
MAIN_ACCOUNT = _l("main account")

# `request_action` of a request_created entry (bot.services.requests.model.Action).
REQUEST_ACTIONS = {
    "credit_add": _l("add credit"),
    "credit_remove": _l("remove credit"),
    "subaccount_create": _l("create a subaccount"),
    "subaccount_delete": _l("delete a subaccount"),
}
# `why` of a click not counted, a withdrawn request, a setting change expired.
WHY = {
    "already decided": _l("already decided"),
    "already approved by them": _l("they had already approved it"),
    "appointed by the requester": _l("made an approver by the requester less than 24 h before"),
    "appointed by the asker": _l("made an approver by the asker less than 24 h before"),
    "key_changed": _l("the Partner API key changed"),
    "uninstalled": _l("the app was uninstalled"),
}
# `setting` of a setting change that is not part of the policy.
CHANGE_SETTINGS = {
    "admin": _l("Partner Ops admin"),
    "approver": _l("approver"),
    "partner_key": _l("Partner API key"),
}
ALERT_LEVELS = {
    "ok": _l("back to normal"),
    "warn": _l("low"),
    "critical": _l("critical"),
}
ALERT_SCOPES = {
    "main": _l("the main account"),
    "subaccounts": _l("every subaccount"),
    "subaccount": _l("one subaccount"),
}
ALL_PRODUCTS = _l("all products")


# --- plurals: call, then `.format(…)` with the numbers already formatted -------------------


def audit_empty(days: int) -> str:
    return ngettext(
        ":information_source: Nothing was recorded in the last {days} day.",
        ":information_source: Nothing was recorded in the last {days} days.",
        days,
    )


def export_empty(days: int) -> str:
    return ngettext(
        ":information_source: Nothing was recorded in the last {days} day: no file to send.",
        ":information_source: Nothing was recorded in the last {days} days: no file to send.",
        days,
    )


def export_title(days: int) -> str:
    return ngettext(
        "Partner Ops audit, last {days} day", "Partner Ops audit, last {days} days", days
    )


def period(days: int) -> str:
    """`{period}` of the texts below, which count entries."""
    return ngettext("in the last {days} day", "in the last {days} days", days)


def period_of(days: int) -> str:
    """`{period}` of the export's texts, which name the trail of a period."""
    return ngettext("of the last {days} day", "of the last {days} days", days)


def audit_summary(n: int) -> str:
    return ngettext(
        "{count} entry {period}.",
        "{count} entries {period}, newest first.",
        n,
    )


def audit_fallback(n: int) -> str:
    return ngettext(
        "Audit trail: {count} entry {period}",
        "Audit trail: {count} entries {period}",
        n,
    )


def export_comment(n: int) -> str:
    return ngettext(
        "The audit trail {period}: {count} entry, times in UTC.",
        "The audit trail {period}: {count} entries, times in UTC.",
        n,
    )


def export_sent(n: int) -> str:
    return ngettext(
        ":white_check_mark: I sent you the audit trail {period} ({count} entry) "
        "as a CSV file by direct message.",
        ":white_check_mark: I sent you the audit trail {period} ({count} entries) "
        "as a CSV file by direct message.",
        n,
    )
