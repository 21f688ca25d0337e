"""What the console itself says (the bot's own replies come from bot.slack.texts)."""

BANNER = """Partner Ops console — the real app, talking to a local Slack emulator.
Workspace "{team}", channel #{channel}. You are {user}.
Partner APIs: {partner}.
Approval cards go to #approvals; alice and carol approve. Try: as bob, then
/partner credit add acme-ops@acme.example 25 demo, then as alice and click the Approve button.
Type a slash command (/partner help), `home` to open the app's Home tab, `click N` to press
button N, `submit FIELD=VALUE …` to submit the open form, `as NAME` to become someone else
({users}), `round` to read the balances and check the alerts now (as the hourly round does),
`quit` to leave."""
PARTNER_SANDBOX = "a local sandbox with demo accounts (no real money moves)"
PARTNER_REAL = "the real vendor APIs, with the keys from your environment"
PROMPT = "{user}> "
ONLY_YOU = "── only visible to you ──"
REPLACED = "── replaces the message above (only visible to you) ──"
IN_CHANNEL = "── posted in #{channel} ──"
DIRECT = "── direct message from Partner Ops to {user} ──"
UPDATED = "── message updated in #{channel} ──"
HOME = "── App Home ──"
FILE = "📎 {title} ({size} bytes)"
FORM_HINT = "Fill it in with: submit {fields}"
NO_REPLY = "(no reply)"
SANDBOX_RESTORED = (
    "Sandbox accounts restored from {file} (delete it and the database to start afresh)."
)
STARTED_FRESH = (
    "The sandbox's saved accounts were missing, so {database} was started afresh with them: "
    "demo accounts, no requests."
)
NO_BUTTON = "There is no button {number}: buttons are numbered in the output above."
NO_FORM = "No form is open."
UNKNOWN_USER = "Unknown person {name}: choose one of {users}."
NOW = "You are now {user}."
UNKNOWN_INPUT = (
    "Type a slash command such as /partner help, home, click N, submit …, as NAME, round or "
    "quit (an empty line shows what was posted meanwhile)."
)
ROUND_DONE = "Alert round done: balances read for every product, {count} alert(s) fired."
BAD_FIELD = (
    "Write each field as FIELD=VALUE, e.g. submit key_sms.api_key=abc123 "
    "(a value may hold spaces: submit reason.reason=top-up for May)."
)
UNKNOWN_FIELD = "This form has no field {fields}: see the `submit` hint under it."
ONE_SHOT_TIMEOUT = (
    "console -c: gave up after {seconds} s while {doing}. Is the database locked by another "
    "process, or a Partner API in the environment unreachable? (-v shows the logs)"
)
DOING_START = "starting (database, migrations, the sandbox)"
DOING_COMMAND = "waiting for the app's answer"
DOING_CLOSE = "closing"
