"""Text of settings under four eyes: the confirmation card, announcements, the asker's DMs."""

# --- what changes, as the policy says it -------------------------------------------------------

ROLE_ADMIN_ADD = "{subject} becomes a Partner Ops admin (they could then change the policy)."
ROLE_ADMIN_REMOVE = "{subject} is no longer a Partner Ops admin."
ROLE_APPROVER_ADD = "{subject} becomes an approver."
ROLE_APPROVER_REMOVE = "{subject} is no longer an approver (one fewer person to approve)."
KEY_REPLACE = "The {product} API key {old} is replaced by the key {new}."
KEY_SET = "The {product} API key {new} is saved."
SETTING_CHANGE = "*{setting}*: {old} → *{new}*"
# The rule the new value makes, in the policy's own words.
RULE_AFTER = {
    "auto_approve_limit": "Moves up to {new} would run at once, with no approver.",
    "daily_auto_approve_cap": (
        "Each requester could auto-run up to {new} in 24 hours; beyond that, moves need an "
        "approver."
    ),
    "daily_auto_approve_cap_none": "There would be no daily cap on what a requester may auto-run.",
    "two_approver_threshold": "Moves above {new} would need two approvers.",
    "two_approver_threshold_none": "One approver would always be enough, whatever the amount.",
    "approvals_channel_id": "Approval cards would go to {new}.",
}

# --- the card ------------------------------------------------------------------------------------

CARD_TITLE = "Setting change to confirm"
CARD_ASKED = "{asker} asks for a change that loosens money control:"
CARD_WHY = (
    "Nobody changes money control alone: an approver other than {asker} must confirm it. "
    "It expires {expires}."
)
CONFIRM = "Confirm"
REJECT = "Reject"
CARD_FALLBACK = "Setting change #{id} ({state}): {what}"
STATE_WORDS = {
    "pending": "waiting for an approver",
    "applied": "confirmed and applied",
    "rejected": "rejected",
    "expired": "expired",
}
CARD_APPLIED = ":white_check_mark: Confirmed by {user} {at}: the change is applied."
CARD_REJECTED = ":no_entry_sign: Rejected by {user} {at}: nothing was changed."
CARD_WITHDRAWN = ":no_entry_sign: Withdrawn by {user} {at}: nothing was changed."
CARD_EXPIRED = ":hourglass: Nobody confirmed it in time: it expired and nothing was changed."

# --- replies and announcements -------------------------------------------------------------------

WAITING = (
    ":hourglass_flowing_sand: This loosens money control, so it waits for an approver (not "
    "you) to confirm it in {channel}: {what} Nothing has changed yet."
)
WAITING_UNPOSTED = (
    ":hourglass_flowing_sand: This loosens money control, so it waits for an approver (not "
    "you) to confirm it: {what} Nothing has changed yet."
)
ANNOUNCE_AT_ONCE = ":information_source: {actor} changed a setting: {what}"
ANNOUNCE_SET_UP = (
    ":information_source: {actor} changed a setting: {what} (applied at once: there is no "
    "approver yet to confirm it)"
)
ANNOUNCE_CONFIRMED = ":white_check_mark: {approver} confirmed {asker}'s setting change: {what}"
ANNOUNCE_REJECTED = ":no_entry_sign: {user} rejected {asker}'s setting change: {what}"
OWN_CHANGE = (
    ":no_entry: You asked for this change yourself: another approver must confirm it. "
    "Nothing was changed."
)
CONFIRMED_DONE = ":white_check_mark: Confirmed: the change is applied."
REJECTED_DONE = ":no_entry_sign: Rejected: nothing was changed."
ALREADY = ":information_source: Setting change #{id} is already {state}{by}. Nothing more was done."
ALREADY_BY = " by {user}"
NOBODY_TO_CONFIRM = {
    "channel": (
        ":warning: This loosens money control, so an approver must confirm it, and there is no "
        "approvals channel yet. A workspace admin or owner can make this change until there "
        "is one (`/partner approvals-channel`). Nothing was changed."
    ),
    "approvers": (
        ":warning: This loosens money control, so an approver must confirm it, and there is no "
        "approver yet. A workspace admin or owner can make this change until there is one "
        "(`/partner approvers add @someone`). Nothing was changed."
    ),
}
DM_APPLIED = ":white_check_mark: {approver} confirmed your setting change: {what} It applies now."
DM_REJECTED = ":no_entry_sign: {user} rejected your setting change: {what} Nothing was changed."
DM_EXPIRED = (
    ":hourglass: Nobody confirmed your setting change in time, so it expired: {what} "
    "Nothing was changed."
)
AMOUNT_TOO_HIGH = ":warning: The {setting} can be at most {bound}. Nothing was changed."
