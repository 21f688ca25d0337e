"""Text of settings under four eyes: the confirmation card, announcements, the asker's DMs."""

from bot.i18n import _l, _lp

# --- what changes, as the policy says it -------------------------------------------------------

ROLE_ADMIN_ADD = _l("{subject} becomes a Partner Ops admin (they could then change the policy).")
ROLE_ADMIN_REMOVE = _l("{subject} is no longer a Partner Ops admin.")
ROLE_APPROVER_ADD = _l("{subject} becomes an approver.")
ROLE_APPROVER_REMOVE = _l("{subject} is no longer an approver (one fewer person to approve).")
KEY_REPLACE = _l("The {product} API key {old} is replaced by the key {new}.")
KEY_SET = _l("The {product} API key {new} is saved.")
KEY_FIRST_IN_USE = _l(
    "The {product} API key {new} is saved: the first {product} key of a workspace already in "
    "use (roles, policy or requests), so it is confirmed like a replacement."
)
SUB_FREEZE = _l("The {product} subaccount *{subaccount}* is frozen.")
SUB_UNFREEZE = _l(
    "The {product} subaccount *{subaccount}* is unfrozen: the app may add credit to it again."
)
SUB_CAP_FIRST = _l("The {product} subaccount *{subaccount}* gets a cap of *{new}*.")
SUB_CAP_CHANGE = _l(
    "The cap of the {product} subaccount *{subaccount}* goes from {old} to *{new}*: the app "
    "may add credit up to that balance."
)
SUB_CAP_REMOVE = _l(
    "The cap of {old} on the {product} subaccount *{subaccount}* is removed: the app may add "
    "any amount to it again."
)
SETTING_CHANGE = _l("*{setting}*: {old} → *{new}*")
# The rule the new value makes, in the policy's own words.
RULE_AFTER = {
    "auto_approve_limit": _l("Moves up to {new} would run at once, with no approver."),
    "daily_auto_approve_cap": (
        _l(
            "Each requester could auto-run up to {new} in 24 hours; beyond that, moves need an "
            "approver."
        )
    ),
    "daily_auto_approve_cap_none": _l(
        "There would be no daily cap on what a requester may auto-run."
    ),
    "two_approver_threshold": _l("Moves above {new} would need two approvers."),
    "two_approver_threshold_none": _l("One approver would always be enough, whatever the amount."),
    "approvals_channel_id": _l("Approval cards would go to {new}."),
}

# --- the card ------------------------------------------------------------------------------------

CARD_TITLE = _l("Setting change to confirm")
CARD_ASKED = _l("{asker} asks for a change that loosens money control:")
CARD_WHY = _l(
    "Nobody changes money control alone: an approver other than {asker} must confirm it. "
    "It expires {expires}."
)
CONFIRM = _l("Confirm")
REJECT = _l("Reject")
CARD_FALLBACK = _l("Setting change #{id} ({state}): {what}")
STATE_WORDS = {
    "pending": _l("waiting for an approver"),
    "applied": _l("confirmed and applied"),
    "rejected": _lp("setting change state", "rejected"),
    "expired": _lp("setting change state", "expired"),
}
CARD_APPLIED = _l(":white_check_mark: Confirmed by {user} {at}: the change is applied.")
CARD_REJECTED = _l(":no_entry_sign: Rejected by {user} {at}: nothing was changed.")
CARD_WITHDRAWN = _l(":no_entry_sign: Withdrawn by {user} {at}: nothing was changed.")
CARD_EXPIRED = _l(":hourglass: Nobody confirmed it in time: it expired and nothing was changed.")

# --- replies and announcements -------------------------------------------------------------------

WAITING = _l(
    ":hourglass_flowing_sand: This loosens money control, so it waits for an approver (not "
    "you) to confirm it in {channel}: {what} Nothing has changed yet."
)
WAITING_UNPOSTED = _l(
    ":hourglass_flowing_sand: This loosens money control, so it waits for an approver (not "
    "you) to confirm it: {what} Nothing has changed yet."
)
ANNOUNCE_AT_ONCE = _l(":information_source: {actor} changed a setting: {what}")
ANNOUNCE_SET_UP = _l(
    ":information_source: {actor} changed a setting: {what} (applied at once: there is no "
    "approver yet to confirm it)"
)
ANNOUNCE_CONFIRMED = _l(":white_check_mark: {approver} confirmed {asker}'s setting change: {what}")
ANNOUNCE_REJECTED = _l(":no_entry_sign: {user} rejected {asker}'s setting change: {what}")
OWN_CHANGE = _l(
    ":no_entry: You asked for this change yourself: another approver must confirm it. "
    "Nothing was changed."
)
APPOINTED_BY_ASKER = _l(
    ":no_entry: Your confirmation does not count: {asker}, who asked for this change, made you "
    "(or a group you are in) an approver less than {hours} hours before asking, or since. An "
    "approver appointed by someone else, or earlier, must confirm it. Nothing was changed."
)
CONFIRMED_DONE = _l(":white_check_mark: Confirmed: the change is applied.")
REJECTED_DONE = _l(":no_entry_sign: Rejected: nothing was changed.")
ALREADY = {
    "pending": _l(
        ":information_source: Setting change #{id} is still waiting for an approver. Nothing more was done."
    ),
    "applied": _l(
        ":information_source: Setting change #{id} has already been confirmed and applied{by}. Nothing more was done."
    ),
    "rejected": _l(
        ":information_source: Setting change #{id} has already been rejected{by}. Nothing more was done."
    ),
    "expired": _l(
        ":information_source: Setting change #{id} has already expired. Nothing more was done."
    ),
}
ALREADY_BY = _l(" by {user}")
NOBODY_TO_CONFIRM = {
    "channel": (
        _l(
            ":warning: This loosens money control, so an approver must confirm it, and there is no "
            "approvals channel yet. A workspace admin or owner can make this change until there "
            "is one (`/partner approvals-channel`). Nothing was changed."
        )
    ),
    "approvers": (
        _l(
            ":warning: This loosens money control, so an approver must confirm it, and there is no "
            "approver yet. A workspace admin or owner can make this change until there is one "
            "(`/partner approvers add @someone`). Nothing was changed."
        )
    ),
}
DM_APPLIED = _l(
    ":white_check_mark: {approver} confirmed your setting change: {what} It applies now."
)
DM_REJECTED = _l(":no_entry_sign: {user} rejected your setting change: {what} Nothing was changed.")
DM_EXPIRED = _l(
    ":hourglass: Nobody confirmed your setting change in time, so it expired: {what} "
    "Nothing was changed."
)
AMOUNT_TOO_HIGH = _l(":warning: The {setting} can be at most {bound}. Nothing was changed.")
