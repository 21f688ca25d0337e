"""Text of `/partner setup` and its modal."""

from bot.i18n import _l

ADMINS_ONLY_WHO = _l("workspace admins and owners")
ADMINS_ONLY_ACTION = _l("set up Partner API keys")
MODAL_TITLE = _l("Partner API keys")
SUBMIT = _l("Check and save")
CLOSE = _l("Cancel")
DONE_CLOSE = _l("Done")
INTRO = _l(
    "Paste the API key of each product this workspace uses. Leave a field empty to keep its "
    "current key. Each key is checked with the vendor before it is saved, and stored encrypted; "
    "only its last 4 characters are ever shown."
)
LABEL = _l("{product} API key")
PLACEHOLDER = _l("Paste the {product} API key")
CURRENT = _l("Current key: {fingerprint} ({source})")
CURRENT_SOURCE_DB = _l("set on {date}")
CURRENT_SOURCE_ENV = _l("from the server's environment")
NOT_SET = _l("Not set up yet.")
NOTHING_ENTERED = _l("Enter at least one API key, or cancel.")
REFUSED = _l(":x: *{product}*: {message}")
NOTHING_SAVED = _l(
    ":warning: Nothing was saved. Fix the key(s) marked below and submit again (paste them again: keys are never shown back)."
)
CHECKING_TITLE = _l("Checking keys…")
CHECKING = _l(":hourglass_flowing_sand: Checking the key(s) with the vendor…")
DONE_TITLE = _l("Keys saved")
DONE = _l(":white_check_mark: Saved. Everyone in this workspace can now use `/partner balance`.")
DONE_LINE = _l("*{product}*: key {fingerprint} works — balance {balance}.")
WAITING_TITLE = _l("Waiting for approval")
DONE_NOTHING_YET = _l(
    ":hourglass_flowing_sand: Nothing is saved yet: replacing a key loosens money control, so "
    "an approver (not you) must confirm it. The current key, if any, stays in use until then."
)
WAITING_LINE = _l(
    ":hourglass_flowing_sand: *{product}*: replacing the key {old} with {new} waits for an "
    "approver (not you) to confirm it in {channel}."
)
WAITING_FIRST_LINE = _l(
    ":hourglass_flowing_sand: *{product}*: the key {new} waits for an approver (not you) to "
    "confirm it in {channel}: this workspace is already in use (roles, policy or requests), so "
    "its first {product} key is confirmed like a replacement."
)
CHANNEL = _l("the approvals channel")
