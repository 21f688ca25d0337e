"""Text of `/partner setup` and its modal."""

ADMINS_ONLY_WHO = "workspace admins and owners"
ADMINS_ONLY_ACTION = "set up Partner API keys"
MODAL_TITLE = "Partner API keys"
SUBMIT = "Check and save"
CLOSE = "Cancel"
INTRO = (
    "Paste the API key of each product this workspace uses. Leave a field empty to keep its "
    "current key. Each key is checked with the vendor before it is saved, and stored encrypted; "
    "only its last 4 characters are ever shown."
)
LABEL = "{product} API key"
PLACEHOLDER = "Paste the {product} API key"
CURRENT = "Current key: {fingerprint} ({source})"
CURRENT_SOURCE_DB = "set on {date}"
CURRENT_SOURCE_ENV = "from the server's environment"
NOT_SET = "Not set up yet."
NOTHING_ENTERED = "Enter at least one API key, or cancel."
REFUSED = ":x: *{product}*: {message}"
NOTHING_SAVED = ":warning: Nothing was saved. Fix the key(s) marked below and submit again (paste them again: keys are never shown back)."
CHECKING_TITLE = "Checking keys…"
CHECKING = ":hourglass_flowing_sand: Checking the key(s) with the vendor…"
DONE_TITLE = "Keys saved"
DONE = ":white_check_mark: Saved. Everyone in this workspace can now use `/partner balance`."
DONE_LINE = "*{product}*: key {fingerprint} works — balance {balance}."
TOO_LONG = "That is too long to be an API key."
WAITING_TITLE = "Waiting for approval"
DONE_NOTHING_YET = (
    ":hourglass_flowing_sand: Nothing is saved yet: replacing a key in use loosens money "
    "control, so an approver (not you) must confirm it. The current key stays in use until then."
)
WAITING_LINE = (
    ":hourglass_flowing_sand: *{product}*: replacing the key {old} with {new} waits for an "
    "approver (not you) to confirm it in {channel}."
)
CHANNEL = "the approvals channel"
