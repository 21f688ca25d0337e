"""Text of credit requests: cards, confirmations, decisions, direct messages, modals.

In the reader's language (bot.i18n: English here, French in
bot/i18n/locales/fr/LC_MESSAGES/messages.po): a card in its channel's, the rest in the
person's own. Amounts and counts come formatted; `str()` what Block Kit takes unformatted."""

from bot.i18n import N_, _l, _lp, ngettext

TITLES = {
    "credit_add": _l("Credit top-up"),
    "credit_remove": _l("Credit removal"),
    "subaccount_create": _l("New subaccount"),
    "subaccount_delete": _l("Subaccount deletion"),
}
SHORT = {
    "credit_add": _l("add {amount} to {subaccount}"),
    "credit_remove": _l("remove {amount} from {subaccount}"),
    "subaccount_create": _l("create the subaccount {subaccount}"),
    "subaccount_delete": _l("delete the subaccount {subaccount}"),
}
SHORT_CREATE_WITH_CREDIT = _l("create the subaccount {subaccount} with {amount}")
HEADER = _l("{title} · request #{id}")
FALLBACK = _l("Request #{id} ({product}): {what} — {status}")

FIELD_REQUESTER = _l("*Requested by*\n<@{user}>")
FIELD_PRODUCT = _l("*Product*\n{product}")
FIELD_SUBACCOUNT = _l("*Subaccount*\n{email}{id}")
SUBACCOUNT_ID = _l(" (id {id})")
EMAIL_BY_VENDOR = _l("(email chosen by the vendor)")
FIELD_SUBACCOUNT_BALANCE = _l("\nholds {balance}")
FIELD_AMOUNT = _l("*Amount*\n{amount}")
FIELD_MAIN = _l("*Main account*\n{now} → {after}")
FIELD_MAIN_NOW = _l("*Main account*\n{now}")
FIELD_REASON = _l("*Reason*\n{reason}")
FIELD_RETURNED = _l("*Its credit*\n{amount} back to the main account")
FIGURES_AS_READ = _l("Balances as read {when}.")
NEW_SUBACCOUNT_LINE = _l("{kind}{buyer}{names}")
KINDS = {"simple": _l("simple"), "advanced": _l("advanced")}
BUYER = _l(" · may buy its own credit")
NO_REASON = _l("_none given_")
NO_DETAILS = _l("no details")
THE_POLICY = _l("the policy")

STATUS = {
    "pending": _l(":hourglass_flowing_sand: Waiting for approval{progress} · expires {expires}"),
    "approved": _l(":gear: Approved by {deciders} · being carried out…"),
    "executing": _l(":gear: Approved by {deciders} · being carried out…"),
    "succeeded": _l(":white_check_mark: Done{by}.{result}"),
    "failed": _l(":x: Failed{by}: {note}"),
    "unknown": _l(":grey_question: Not confirmed yet: {note}. The balances are being checked."),
    "rejected": _l(":no_entry_sign: Rejected by <@{decider}>: {reason}"),
    "expired": _l(":hourglass: Expired: nobody decided within {hours} h."),
    "cancelled": _l(":heavy_multiplication_x: Cancelled by <@{decider}>."),
}
BY_APPROVERS = _l(" · approved by {deciders}")
AUTO = _l(" · auto-approved")
NO_APPROVAL = _l(" · needed no approval (no money moved)")
RESULT_BALANCES = _l(" The subaccount now holds {sub}; the main account {main}.")
RESULT_SUB = _l(" The subaccount now holds {sub}.")
RESULT_CREATED = _l(" New subaccount token: `{token}`.")
RESULT_DELETED = _l(
    " Its credit, {returned}, went back to the main account, which now holds {main}."
)
RESULT_DELETED_UNREAD = _l(" Its credit, {returned}, goes back to the main account.")
STATUS_UNDECIDABLE = _l(":grey_question: Outcome unknown: {note}.")
UNKNOWN_ASK = _l(
    " Partner Ops cannot tell from the balances: an approver must check the vendor's "
    "dashboard and mark it."
)
MARK_DONE = _l("Mark done")
MARK_FAILED = _l("Mark failed")
# Plain English, translated where shown (`_(text.APPROVE)`): the Home's buttons use them too.
APPROVE = N_("Approve")
REJECT = N_("Reject")
CANCEL = _l("Cancel request")

SUBMITTED = _l(":inbox_tray: Request #{id} sent to <#{channel}> for approval: {what}.")
SUBMITTED_HINT = _l(
    "You'll get a direct message when it is decided. `/partner requests` shows where it stands."
)
RAN_NOW = _l(":zap: Request #{id} ({what}) was auto-approved under the workspace policy.")
RAN_WITHOUT_APPROVAL = _l(":zap: Request #{id} ({what}) needs no approval: no money moves.")
NOT_A_REQUESTER = _l(
    ":no_entry: Only members of {group} may make requests (policy set by admins: "
    "`/partner policy requesters everyone` opens it to everyone)."
)
LOCKED_OUT = _l(
    " {group} has nobody in it right now (or no longer exists), so nobody can ask until an "
    "admin changes the rule or adds people to it; the admins have been told."
)
LOCKOUT_DM = _l(
    ":warning: Nobody can make Partner Ops requests: the policy lets only members of {group} "
    "ask, and {group} has nobody in it now (or was deleted). An admin can fix it with "
    "`/partner policy requesters @another-group`, `/partner policy requesters everyone`, or by "
    "adding people to {group}."
)
OWN_REQUEST = _l(":no_entry: You asked for request #{id}, so another approver must decide it.")
APPOINTED_BY_REQUESTER = _l(
    ":no_entry: Your approval of request #{id} does not count: {asker}, who asked for it, made "
    "you (or a group you are in) an approver less than {hours} hours before asking, or since. "
    "An approver appointed by someone else, or earlier, must approve it."
)
CANCELLED = _l(":heavy_multiplication_x: Request #{id} cancelled.")
SIMILAR_ASK = _l(
    ":eyes: You asked for the same thing {when}: request #{id} ({what}), {state}. "
    "Send another request anyway?"
)
SIMILAR_SEND_ANYWAY = _l("Send another")
SIMILAR_DONT_SEND = _l("Don't send")
SIMILAR_DROPPED = _l(":heavy_multiplication_x: Not sent: the earlier request stands.")
SIMILAR_GONE = _l(
    ":warning: This question has expired: make the request again if you still need it."
)
SIMILAR_ON_CARD = _l(
    ":warning: Similar to request #{id}, made by <@{user}> just before; they confirmed they "
    "want both."
)

# A click on a request someone else has moved on: one sentence per state (English needs
# "has been cancelled" but "is being carried out"; {by} is ALREADY_BY or nothing).
ALREADY = {
    "pending": _l(":information_source: Request #{id} is still waiting for approval."),
    "approved": _l(":information_source: Request #{id} has already been approved{by}."),
    "executing": _l(
        ":information_source: Request #{id} has already been approved{by} and is being carried out."
    ),
    "succeeded": _l(
        ":information_source: Request #{id} has already been approved{by} and is done."
    ),
    "failed": _l(":information_source: Request #{id} has already been decided{by}; it failed."),
    "unknown": _l(
        ":information_source: Request #{id} has already been approved{by}; its outcome is being checked."
    ),
    "rejected": _l(":information_source: Request #{id} has already been rejected{by}."),
    "expired": _l(":information_source: Request #{id} has already expired."),
    "cancelled": _l(":information_source: Request #{id} has already been cancelled{by}."),
}
ALREADY_BY = _l(" by <@{user}>")
APPROVAL_RECORDED = _l(
    ":ballot_box_with_check: Your approval of request #{id} is recorded; it needs one more "
    "approver."
)
STATE_WORDS = {
    "pending": _l("waiting for approval"),
    "approved": _lp("request state", "approved"),
    "executing": _l("being carried out"),
    "succeeded": _l("done"),
    "failed": _l("failed"),
    "unknown": _l("in an unknown state"),
    "rejected": _lp("request state", "rejected"),
    "expired": _lp("request state", "expired"),
    "cancelled": _lp("request state", "cancelled"),
}

DM = {
    "succeeded": _l(":white_check_mark: Your request #{id} ({what}) is done.{result}"),
    "failed": _l(":x: Your request #{id} ({what}) failed: {note}"),
    "rejected": _l(
        ":no_entry_sign: Your request #{id} ({what}) was rejected by <@{decider}>: {reason}"
    ),
    "expired": _l(
        ":hourglass: Your request #{id} ({what}) expired: nobody decided within {hours} h."
    ),
    "unknown": _l(
        ":grey_question: Your request #{id} ({what}) may or may not have been carried out: "
        "{note} An approver has been asked to check."
    ),
}
DM_REASON = _l("\nYour reason: {reason}")
STATUS_KEY_CHANGED = _l(
    ":heavy_multiplication_x: Withdrawn: the workspace's {product} API key changed after this "
    "request was made, so it was not carried out."
)
DM_KEY_CHANGED = _l(
    ":heavy_multiplication_x: Your request #{id} ({what}) was withdrawn and not carried out: "
    "the workspace's {product} API key changed after you made it, and the new key may belong "
    "to another account. Ask again if it is still needed."
)

# A modal title holds 24 characters: the shorter ones stand in when the number is long.
REJECT_TITLE = _l("Reject request #{id}")
REJECT_TITLE_SHORT = _l("Reject #{id}")
REJECT_TITLE_BARE = _l("Reject a request")
REJECT_LABEL = _l("Why? (the requester will read this)")
REJECT_SUBMIT = _l("Reject")
REJECT_CLOSE = _l("Back")
REJECT_REASON_MISSING = _l("Say why, for the requester.")
REJECTING = _l(":hourglass_flowing_sand: Rejecting the request…")
APPROVED_BY_YOU = _l(":white_check_mark: You approved request #{id} ({what}); it is {state}.")
REJECTED_DONE = _l(":white_check_mark: Request #{id} is rejected; the requester has been told why.")

NOT_SET_UP = {
    "channel": _l(
        ":construction: No approvals channel yet: an admin must run "
        "`/partner approvals-channel` in the channel that should receive approval cards. "
        "Nothing was requested."
    ),
    "approvers": _l(
        ":construction: Nobody can approve requests yet: an admin must add approvers with "
        "`/partner approvers add @someone`. Nothing was requested."
    ),
}
CARD_NOT_POSTED = _l(
    ":warning: The approval card could not be posted in <#{channel}> ({error}), so the "
    "request was withdrawn. Ask an admin to invite Partner Ops to that channel, or to choose "
    "another with `/partner approvals-channel`."
)

CARD_CUT_SHORT = _l(
    ":warning: Partner Ops stopped while the approval card of request #{id} was being posted in "
    "<#{channel}>: it may or may not be there. It was not posted again, so that approvers never "
    "see it twice. If it is not in <#{channel}>, cancel this request and ask again."
)
CARD_OUTCOME_UNKNOWN = _l(
    ":warning: Slack did not answer while the approval card was being posted in "
    "<#{channel}>: it may or may not be there. It was not posted again, so that approvers "
    "never see it twice. If it is not in <#{channel}>, cancel this request and ask again."
)

LIST_PENDING_TITLE = _l("Waiting for a decision")
LIST_MINE_TITLE = _l("Your requests")
LIST_EMPTY_PENDING = _l("Nothing is waiting for a decision.")
LIST_EMPTY_MINE = _l("You have made no requests yet.")
LIST_ROW = _l("*#{id}* · {what} · <@{requester}> · {state} · {when}")

CREATE_TITLE = _l("New {product} subaccount")
CREATE_SUBMIT = _l("Request")
CREATE_CLOSE = _l("Cancel")
CREATE_TYPE = _l("Type")
CREATE_TYPE_SIMPLE = _l("Simple")
CREATE_TYPE_ADVANCED = _l("Advanced (its own login; email required)")
CREATE_EMAIL = _l("Email")
CREATE_EMAIL_HINT = _l(
    "Required for an advanced subaccount; generated by the vendor for a simple one when empty."
)
CREATE_BUYER = _l("May buy its own credit")
CREATE_BUYER_YES = _l("Yes, it may buy credit itself")
CREATE_FIRSTNAME = _l("First name")
CREATE_LASTNAME = _l("Last name")
CREATE_CREDIT = _l("Initial credit (EUR)")
CREATE_CREDIT_HINT = _l(
    "Taken from the main account. Leave empty for none; with credit, the request is approved "
    "like a credit move."
)
CREATE_REASON = _l("Reason")
CREATE_EMAIL_REQUIRED = _l("An advanced subaccount needs an email address.")
CREATE_EMAIL_INVALID = _l("That does not look like an email address.")

# --- plurals, by the language's rules: call, then `.format(...)` ------------------------------


def progress(count: int) -> str:
    """Where a request needing several approvers stands, `count` of them having approved."""
    return ngettext(
        " · approved by {deciders} ({count} of {needed})",
        " · approved by {deciders} ({count} of {needed})",
        count,
    )


def progress_none(needed: int) -> str:
    return ngettext(" · needs {needed} approver", " · needs {needed} approvers", needed)


def already_approved_by_you(needed: int) -> str:
    return ngettext(
        ":information_source: You already approved request #{id}; it needs {needed} different "
        "approver.",
        ":information_source: You already approved request #{id}; it needs {needed} different "
        "approvers.",
        needed,
    )


def list_more(shown: int) -> str:
    return ngettext(
        "Showing the {shown} most recent request.",
        "Showing the {shown} most recent requests.",
        shown,
    )
