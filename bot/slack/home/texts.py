"""Text of the App Home tab, in the viewer's language (bot.i18n: `_l`, translated when used)."""

from bot.i18n import _l

TITLE = "Partner Ops"  # the product's name, in every language
INTRO = _l("Balances, requests and settings of your SMS, Mail and Voice Partner accounts.")

# --- first run --------------------------------------------------------------------------------
FIRST_RUN_TITLE = _l("Welcome to Partner Ops :wave:")
FIRST_RUN_INTRO = _l(
    "No Partner product is set up in this workspace yet. Three steps to get going:"
)
FIRST_RUN_STEPS = (
    _l(
        "*1. Add your API keys* — a workspace admin types `/partner setup` (or uses the button "
        "below) and pastes the SMS, Mail or Voice Partner key. Each key is checked with the "
        "vendor before it is saved, and only its fingerprint is ever shown."
    ),
    _l("*2. Choose who approves* — `/partner approvers add @someone` (a person or a group)."),
    _l(
        "*3. Pick the approvals channel* — in that channel, type `/partner approvals-channel`: "
        "every credit request is posted there with Approve and Reject buttons."
    ),
)
FIRST_RUN_MEMBER = _l(
    "Ask a workspace admin to set it up. Meanwhile, `/partner help` shows what the bot can do."
)
SETUP_BUTTON = _l("Set up API keys")

# --- balances ---------------------------------------------------------------------------------
BALANCES = _l("Balances")
BALANCE_LINE = _l("*{product}* · {balance}")
SPARKLINE = _l("\n`{sparkline}` last 7 days")
DAYS_LEFT = _l(" · about *{days}* days left at this week's pace")
STALE = _l(" _(as read {seconds} s ago)_")
BALANCE_FAILED = _l("*{product}* · could not be read: {reason}")

# --- waiting for me ---------------------------------------------------------------------------
WAITING = _l("Waiting for me")
WAITING_NONE = _l("Nothing waits for your decision.")
WAITING_ITEM = _l("*#{id}* · {product} · {what}\nasked by <@{requester}> {when}{progress}{reason}")
WAITING_PROGRESS = _l(" · {done} of {needed} approvals")
WAITING_REASON = _l("\n> {reason}")
WAITING_UNKNOWN = _l(
    "\n:warning: Its outcome is unknown: check the vendor's dashboard, then say what happened."
)
WAITING_MORE = _l("…and {count} more waiting. `/partner approvals` lists them all.")
WAITING_MORE_UNCOUNTED = _l("…and more waiting. `/partner approvals` lists them all.")

# --- my requests ------------------------------------------------------------------------------
MINE = _l("My requests")
MINE_NONE = _l(
    "You have made no request yet. Try `/partner credit add &lt;subaccount&gt; &lt;amount&gt;`."
)
MINE_ITEM = _l("*#{id}* · {product} · {what} — {state} · {when}")
CANCEL = _l("Cancel request")

# --- activity ---------------------------------------------------------------------------------
ACTIVITY = _l("Recent activity")
ACTIVITY_NONE = _l("Nothing yet.")

# --- settings (admins) ------------------------------------------------------------------------
SETTINGS = _l("Settings")
KEYS = _l("*API keys*\n{lines}")
KEY_LINE = _l("{product}: key `{fingerprint}`{origin}")
KEY_FROM_ENVIRONMENT = _l(" (from the server's environment)")
KEY_SET_BY = _l(" set by <@{user}>")
KEYS_NONE = _l("none yet")
ADMINS = _l("*Admins* (besides Slack's workspace admins): {who}")
APPROVERS = _l("*Approvers*: {who}")
NOBODY = _l("nobody yet")
POLICY = _l("*Policy*\n{rules}")
APPROVALS_CHANNEL = _l("*Approvals channel*: {channel}")
ALERTS_CHANNEL = _l("*Alerts channel*: {channel}")
NO_CHANNEL = _l("not set")
DIGESTS = _l("*Digests*: {lines}")
DIGEST_LINE = _l("{channel} at {schedule}")
DIGESTS_NONE = _l("none")
SETTINGS_HINT = _l(
    "Each change goes through the same checks as its command: one that loosens money control "
    "waits for an approver's confirmation. Groups and digest schedules: `/partner approvers`, "
    "`/partner digest`."
)
CHANGE = _l("Change")

# --- the settings' modals ---------------------------------------------------------------------
EDIT_TITLES = {
    "approvers": _l("Approvers"),
    "admins": _l("Admins"),
    "policy": _l("Policy"),
    "approvals-channel": _l("Approvals channel"),
    "alerts-channel": _l("Alerts channel"),
    "digest": _l("Digest"),
}
SUBMIT = _l("Apply")
CLOSE = _l("Cancel")
VERB = _l("Add or remove")
ADD = _l("Add")
REMOVE = _l("Remove")
PERSON = _l("Person")
SETTING = _l("Setting")
VALUE = _l("New value")
VALUE_HINT = _l("An amount (`500`, `1 000,50`), `none` for no cap, or hours for the expiry (`24`).")
POLICY_SETTINGS = {
    "auto-approve": _l("Auto-approve up to (amount)"),
    "daily-cap": _l("Daily auto-approve cap per requester (amount)"),
    "two-approvers": _l("Two approvers above (amount)"),
    "expiry": _l("Requests expire after (hours)"),
    "remind": _l("Remind approvers every (hours, or off)"),
    "escalate": _l("Bring to the admins after (hours, or off)"),
}
CHANNEL = _l("Channel")
CHANNEL_HINT = _l("The bot must be a member of it: `/invite @Partner Ops` there first.")
DIGEST_SCHEDULE = _l("When")
DIGEST_SCHEDULE_HINT = _l(
    "As after `/partner digest subscribe`: `09:00 Europe/Paris mon-fri all`. Empty: every day "
    "at the default time."
)
DIGEST_ACTION = _l("Subscribe or unsubscribe")
SUBSCRIBE = _l("Subscribe")
UNSUBSCRIBE = _l("Unsubscribe")
CHOOSE_ONE = _l("Choose one.")
