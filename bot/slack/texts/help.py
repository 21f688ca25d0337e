"""Text of `/partner help` and of the command parser's refusals."""

TITLE = "Partner Ops — what you can ask"
INTRO = (
    "Start with a product word to pick `sms` (the default), `mail` or `voice`: "
    "`/partner mail subaccounts`."
)
USAGE = [
    (
        "/partner balance [sms|mail|voice]",
        "Main account balance and counters, for every product set up or the one named.",
    ),
    (
        "/partner [product] subaccounts [text]",
        "Subaccounts with their balances, filtered by email, id or token.",
    ),
    ("/partner [product] subaccount <email|id|token>", "One subaccount's details."),
    ("/partner setup", "Enter or replace each product's API key (workspace admins and owners)."),
    ("/partner help", "This message."),
]
FOOTER = "Replies are only visible to you. A subaccount's own API key is never shown."

UNKNOWN_SUBCOMMAND = "I don't know `{name}`."
UNKNOWN_PRODUCT = "`{name}` is not a product: use `sms`, `mail` or `voice`."
DID_YOU_MEAN = " Did you mean `/partner {suggestion}`?"
BALANCE_ARGS = "`/partner balance` takes at most a product: `sms`, `mail` or `voice`."
SUBACCOUNT_NEEDS_REF = (
    "Which subaccount? Give its email, id or token: `/partner subaccount client@example.com`."
)
