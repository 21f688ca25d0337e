"""Text of credit requests: cards, confirmations, decisions, direct messages."""

TITLES = {
    "credit_add": "Credit top-up",
    "credit_remove": "Credit removal",
    "subaccount_create": "New subaccount",
    "subaccount_delete": "Subaccount deletion",
}
SHORT = {
    "credit_add": "add {amount} to {subaccount}",
    "credit_remove": "remove {amount} from {subaccount}",
    "subaccount_create": "create the subaccount {subaccount}",
    "subaccount_delete": "delete the subaccount {subaccount}",
}
SHORT_CREATE_WITH_CREDIT = "create the subaccount {subaccount} with {amount}"
HEADER = "{title} · request #{id}"
FALLBACK = "Request #{id} ({product}): {what} — {status}"

FIELD_REQUESTER = "*Requested by*\n<@{user}>"
FIELD_PRODUCT = "*Product*\n{product}"
FIELD_SUBACCOUNT = "*Subaccount*\n{email}{id}"
FIELD_SUBACCOUNT_BALANCE = "\nholds {balance}"
FIELD_AMOUNT = "*Amount*\n{amount}"
FIELD_MAIN = "*Main account*\n{now} → {after}"
FIELD_MAIN_NOW = "*Main account*\n{now}"
FIELD_REASON = "*Reason*\n{reason}"
FIELD_RETURNED = "*Its credit*\n{amount} back to the main account"
FIELD_NEW_SUBACCOUNT = "*New subaccount*\n{kind}{buyer}{names}"
BUYER = " · may buy its own credit"
NO_REASON = "_none given_"

STATUS = {
    "pending": ":hourglass_flowing_sand: Waiting for approval{progress} · expires {expires}",
    "approved": ":gear: Approved by {deciders} · being carried out…",
    "executing": ":gear: Approved by {deciders} · being carried out…",
    "succeeded": ":white_check_mark: Done{by}.{result}",
    "failed": ":x: Failed{by}: {note}",
    "unknown": ":grey_question: Not confirmed yet: {note}. The balances are being checked.",
    "rejected": ":no_entry_sign: Rejected by <@{decider}>: {reason}",
    "expired": ":hourglass: Expired: nobody decided within {hours} h.",
    "cancelled": ":heavy_multiplication_x: Cancelled by <@{decider}>.",
}
PROGRESS = " · approved by {deciders} ({count} of {needed})"
PROGRESS_NONE = " · needs {needed} approvers"
BY_APPROVERS = " · approved by {deciders}"
AUTO = " · auto-approved"
NO_APPROVAL = " · needed no approval (no money moved)"
RESULT_BALANCES = " The subaccount now holds {sub}; the main account {main}."
RESULT_SUB = " The subaccount now holds {sub}."
RESULT_CREATED = " New subaccount token: `{token}`."
RESULT_DELETED = " Its credit, {returned}, went back to the main account, which now holds {main}."
RESULT_DELETED_UNREAD = " Its credit, {returned}, goes back to the main account."
STATUS_UNDECIDABLE = ":grey_question: Outcome unknown: {note}."
UNKNOWN_ASK = " Partner Ops cannot tell from the balances: an approver must check the vendor's dashboard and mark it."
MARK_DONE = "Mark done"
MARK_FAILED = "Mark failed"
APPROVE = "Approve"
REJECT = "Reject"
CANCEL = "Cancel request"
CONFIRM_APPROVE_TWO = "Amounts above {threshold} need two different approvers."

SUBMITTED = ":inbox_tray: Request #{id} sent to <#{channel}> for approval: {what}."
SUBMITTED_HINT = (
    "You'll get a direct message when it is decided. `/partner requests` shows where it stands."
)
RAN_NOW = ":zap: Request #{id} ({what}) was auto-approved under the workspace policy."
RAN_WITHOUT_APPROVAL = ":zap: Request #{id} ({what}) needs no approval: no money moves."
NOT_A_REQUESTER = (
    ":no_entry: Only members of {group} may make requests (policy set by admins: "
    "`/partner policy requesters everyone` opens it to everyone)."
)
LOCKED_OUT = (
    " {group} has nobody in it right now (or no longer exists), so nobody can ask until an "
    "admin changes the rule or adds people to it; the admins have been told."
)
LOCKOUT_DM = (
    ":warning: Nobody can make Partner Ops requests: the policy lets only members of {group} "
    "ask, and {group} has nobody in it now (or was deleted). An admin can fix it with "
    "`/partner policy requesters @another-group`, `/partner policy requesters everyone`, or by "
    "adding people to {group}."
)
OWN_REQUEST = ":no_entry: You asked for request #{id}, so another approver must decide it."
CANCELLED = ":heavy_multiplication_x: Request #{id} cancelled."
SIMILAR_ASK = ":eyes: You asked for the same thing {when}: request #{id} ({what}), {state}. Send another request anyway?"
SIMILAR_SEND_ANYWAY = "Send another"
SIMILAR_DONT_SEND = "Don't send"
SIMILAR_DROPPED = ":heavy_multiplication_x: Not sent: the earlier request stands."
SIMILAR_GONE = ":warning: This question has expired: make the request again if you still need it."
SIMILAR_ON_CARD = ":warning: Similar to request #{id}, made by <@{user}> just before; they confirmed they want both."

ALREADY = ":information_source: Request #{id} is already {state}{by}."
ALREADY_BY = " by <@{user}>"
ALREADY_APPROVED_BY_YOU = ":information_source: You already approved request #{id}; it needs {needed} different approvers."
APPROVAL_RECORDED = ":ballot_box_with_check: Your approval of request #{id} is recorded; it needs one more approver."
STATE_WORDS = {
    "pending": "waiting for approval",
    "approved": "approved",
    "executing": "being carried out",
    "succeeded": "done",
    "failed": "failed",
    "unknown": "in an unknown state",
    "rejected": "rejected",
    "expired": "expired",
    "cancelled": "cancelled",
}

DM = {
    "succeeded": ":white_check_mark: Your request #{id} ({what}) is done.{result}",
    "failed": ":x: Your request #{id} ({what}) failed: {note}",
    "rejected": ":no_entry_sign: Your request #{id} ({what}) was rejected by <@{decider}>: {reason}",
    "expired": ":hourglass: Your request #{id} ({what}) expired: nobody decided within {hours} h.",
    "unknown": ":grey_question: Your request #{id} ({what}) may or may not have been carried out: {note} An approver has been asked to check.",
}
DM_REASON = "\nYour reason: {reason}"

REJECT_TITLE = "Reject request #{id}"
REJECT_LABEL = "Why? (the requester will read this)"
REJECT_SUBMIT = "Reject"
REJECT_CLOSE = "Back"
REJECT_REASON_MISSING = "Say why, for the requester."
REJECTING = ":hourglass_flowing_sand: Rejecting the request…"
REJECTED_DONE = ":white_check_mark: Request #{id} is rejected; the requester has been told why."

NOT_SET_UP = {
    "channel": ":construction: No approvals channel yet: an admin must run `/partner approvals-channel` in the channel that should receive approval cards. Nothing was requested.",
    "approvers": ":construction: Nobody can approve requests yet: an admin must add approvers with `/partner approvers add @someone`. Nothing was requested.",
}
CARD_NOT_POSTED = ":warning: The approval card could not be posted in <#{channel}> ({error}), so the request was withdrawn. Ask an admin to invite Partner Ops to that channel, or to choose another with `/partner approvals-channel`."

CARD_OUTCOME_UNKNOWN = ":warning: Slack did not answer while the approval card was being posted in <#{channel}>: it may or may not be there. It was not posted again, so that approvers never see it twice. If it is not in <#{channel}>, cancel this request and ask again."

LIST_PENDING_TITLE = "Waiting for a decision"
LIST_MINE_TITLE = "Your requests"
LIST_EMPTY_PENDING = "Nothing is waiting for a decision."
LIST_EMPTY_MINE = "You have made no requests yet."
LIST_ROW = "*#{id}* · {what} · <@{requester}> · {state} · {when}"
LIST_MORE = "Showing the {shown} most recent."
OPEN_CARD = "See the card"

CREATE_TITLE = "New {product} subaccount"
CREATE_SUBMIT = "Request"
CREATE_CLOSE = "Cancel"
CREATE_TYPE = "Type"
CREATE_TYPE_SIMPLE = "Simple"
CREATE_TYPE_ADVANCED = "Advanced (its own login; email required)"
CREATE_EMAIL = "Email"
CREATE_EMAIL_HINT = (
    "Required for an advanced subaccount; generated by the vendor for a simple one when empty."
)
CREATE_BUYER = "May buy its own credit"
CREATE_BUYER_YES = "Yes, it may buy credit itself"
CREATE_FIRSTNAME = "First name"
CREATE_LASTNAME = "Last name"
CREATE_CREDIT = "Initial credit (EUR)"
CREATE_CREDIT_HINT = "Taken from the main account. Leave empty for none; with credit, the request is approved like a credit move."
CREATE_REASON = "Reason"
CREATE_EMAIL_REQUIRED = "An advanced subaccount needs an email address."
CREATE_EMAIL_INVALID = "That does not look like an email address."
CREATE_SENT = "Request sent. Its progress will come by direct message."
