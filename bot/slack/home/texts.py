"""Text of the App Home tab."""

TITLE = "Partner Ops"
INTRO = "Balances, requests and settings of your SMS, Mail and Voice Partner accounts."

# --- first run --------------------------------------------------------------------------------
FIRST_RUN_TITLE = "Welcome to Partner Ops :wave:"
FIRST_RUN_INTRO = "No Partner product is set up in this workspace yet. Three steps to get going:"
FIRST_RUN_STEPS = (
    "*1. Add your API keys* — a workspace admin types `/partner setup` (or uses the button "
    "below) and pastes the SMS, Mail or Voice Partner key. Each key is checked with the vendor "
    "before it is saved, and only its fingerprint is ever shown.",
    "*2. Choose who approves* — `/partner approvers add @someone` (a person or a group).",
    "*3. Pick the approvals channel* — `/partner channel #approvals`: every credit request "
    "is posted there with Approve and Reject buttons.",
)
FIRST_RUN_MEMBER = (
    "Ask a workspace admin to set it up. Meanwhile, `/partner help` shows what the bot can do."
)
SETUP_BUTTON = "Set up API keys"

# --- balances ---------------------------------------------------------------------------------
BALANCES = "Balances"
BALANCE_LINE = "*{product}* · {balance}"
SPARKLINE = "\n`{sparkline}` last 7 days"
DAYS_LEFT = " · about *{days}* days left at this week's pace"
NO_DAYS_LEFT = ""
STALE = " _(as read {seconds} s ago)_"
BALANCE_FAILED = "*{product}* · could not be read: {reason}"

# --- waiting for me ---------------------------------------------------------------------------
WAITING = "Waiting for me"
WAITING_NONE = "Nothing waits for your decision."
WAITING_ITEM = "*#{id}* · {product} · {what}\nasked by <@{requester}> {when}{progress}{reason}"
WAITING_PROGRESS = " · {done} of {needed} approvals"
WAITING_REASON = "\n> {reason}"
WAITING_MORE = "…and {count} more waiting. `/partner requests` lists them all."
WAITING_MORE_UNCOUNTED = "…and more waiting. `/partner requests` lists them all."

# --- my requests ------------------------------------------------------------------------------
MINE = "My requests"
MINE_NONE = (
    "You have made no request yet. Try `/partner credit add &lt;subaccount&gt; &lt;amount&gt;`."
)
MINE_ITEM = "*#{id}* · {product} · {what} — {state} · {when}"
CANCEL = "Cancel request"

# --- activity ---------------------------------------------------------------------------------
ACTIVITY = "Recent activity"
ACTIVITY_NONE = "Nothing yet."

# --- settings (admins) ------------------------------------------------------------------------
SETTINGS = "Settings"
KEYS = "*API keys*\n{lines}"
KEY_LINE = "{product}: key `{fingerprint}`{origin}"
KEY_FROM_ENVIRONMENT = " (from the server's environment)"
KEY_SET_BY = " set by <@{user}>"
KEYS_NONE = "none yet"
ADMINS = "*Admins* (besides Slack's workspace admins): {who}"
APPROVERS = "*Approvers*: {who}"
NOBODY = "nobody yet"
POLICY = "*Policy*\n{rules}"
CHANNELS = "*Approvals channel*: {approvals} · *Alerts channel*: {alerts}"
NO_CHANNEL = "not set"
DIGESTS = "*Digests*: {lines}"
DIGEST_LINE = "{channel} at {schedule}"
DIGESTS_NONE = "none"
SETTINGS_HINT = (
    "Change them with `/partner approvers add|remove`, `/partner admins add|remove`, "
    "`/partner policy`, `/partner channel`, `/partner alerts channel` and `/partner digest`."
)
SHOW_POLICY = "Show the policy"
SHOW_AUDIT = "Show the audit trail"

FALLBACK = "Partner Ops"
