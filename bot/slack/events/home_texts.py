"""Text of the App Home tab (a fuller dashboard comes later)."""

TITLE = "Partner Ops"
INTRO = "Balances, subaccounts and credit for your SMS, Mail and Voice Partner accounts, from Slack. Type `/partner help` in any channel to start."
SET_UP = "*Set up in this workspace:* {products}"
NOTHING_SET_UP = (
    "*No product is set up yet.* A workspace admin can add API keys with `/partner setup`."
)
