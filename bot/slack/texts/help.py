"""Text of `/partner help` and of the command parser's refusals, in the reader's language:
usage lines too, with the command words and placeholders of that language (the French ones are
in docs/glossary.md; every word shown there is one the parsers accept)."""

from bot.i18n import _l

TITLE = _l("Partner Ops — what you can ask")
INTRO = _l(
    "Start with a product word to pick `sms` (the default), `mail` or `voice`: "
    "`/partner mail subaccounts`."
)
USAGE = [
    (
        _l("/partner balance [sms|mail|voice]"),
        _l("Main account balance and counters, for every product set up or the one named."),
    ),
    (
        _l("/partner [product] subaccounts [text]"),
        _l("Subaccounts with their balances, filtered by email, id or token."),
    ),
    (_l("/partner [product] subaccount <email|id|token>"), _l("One subaccount's details.")),
    (
        _l("/partner [product] credit add|remove <subaccount> <amount> [reason…]"),
        _l(
            "Ask to move credit between the main account and a subaccount (approved by an approver)."
        ),
    ),
    (
        _l("/partner [sms|mail] batch"),
        _l("Ask for many credit moves at once from a CSV (a form): one approval for the total."),
    ),
    (_l("/partner [product] subaccount create"), _l("Ask for a new subaccount (a form).")),
    (
        _l("/partner [product] subaccount delete <subaccount> [reason…]"),
        _l("Ask to delete a subaccount."),
    ),
    (_l("/partner requests"), _l("Your requests and batches, and where they stand.")),
    (
        _l("/partner approvals"),
        _l(
            "Requests and batches waiting for a decision, with buttons on those you may decide "
            "(approvers)."
        ),
    ),
    (
        _l("/partner approve <number>"),
        _l(
            "Approve a waiting request or batch by its number, as its card's button does "
            "(approvers)."
        ),
    ),
    (
        _l("/partner reject <number> <reason…>"),
        _l("Reject a waiting request or batch by its number, saying why (approvers)."),
    ),
    (_l("/partner approvers add|remove|list [@user|@group]"), _l("Who may approve (admins).")),
    (
        _l("/partner admins add|remove|list [@user]"),
        _l("Who may set the policy, besides workspace admins (admins)."),
    ),
    (
        _l("/partner approvals-channel"),
        _l("Run it in the channel that receives approval cards (admins)."),
    ),
    (
        _l("/partner policy [setting value]"),
        _l(
            "Show or set: auto-approve, daily-cap, two-approvers, expiry, requesters, remind, escalate (admins)."
        ),
    ),
    (
        _l("/partner audit [days] | audit export [days]"),
        _l("Recent audit entries, or all of them as a CSV file (admins and approvers)."),
    ),
    (
        _l("/partner digest subscribe [HH:MM] [Area/City] [weekdays] [sms|mail|voice|all]"),
        _l(
            "A daily balance digest in this channel (defaults: 09:00, your time zone, every day, all products)."
        ),
    ),
    (
        _l("/partner digest unsubscribe | list | now | preview"),
        _l(
            "Stop this channel's digest, list the workspace's digests, post one here now, or preview one only you see."
        ),
    ),
    (
        _l("/partner [product] alert main <warn> [critical]"),
        _l("Alert when the main account falls below these amounts."),
    ),
    (
        _l(
            "/partner [product] alert subaccounts <amount> | alert subaccount <subaccount> <amount>"
        ),
        _l("Alert when any (or one) subaccount falls below an amount."),
    ),
    (
        _l("/partner alert channel | alert list"),
        _l("Run it in the channel that receives alerts; list the thresholds."),
    ),
    (
        _l("/partner anomaly floor <EUR per hour>"),
        _l(
            "Spend alerts: what a subaccount with under 7 days of history may spend an hour (admins)."
        ),
    ),
    (
        _l("/partner [product] anomaly export [days]"),
        _l("The spend ledger as a CSV file, by direct message (admins and approvers)."),
    ),
    (
        _l("/partner [product] usage [YYYY-MM] [subaccount]"),
        _l(
            "A month's spend per subaccount, to invoice clients: a CSV file by direct message, in your time zone (admins and approvers)."
        ),
    ),
    (
        _l("/partner [product] freeze <subaccount>"),
        _l(
            "Its whole balance back to the main account, and no add until it is unfrozen. An "
            "advanced subaccount may still buy credit itself (approvers and admins)."
        ),
    ),
    (
        _l("/partner [product] unfreeze <subaccount>"),
        _l("The app may add credit to it again, once a second approver confirms."),
    ),
    (
        _l("/partner [product] cap <subaccount> <amount>|off | cap list"),
        _l(
            "A ceiling on what the app's adds may bring its balance to; raising or removing "
            "it needs a second approver (approvers and admins)."
        ),
    ),
    (
        _l(
            "/partner [product] recurring add <subaccount> [up-to] <amount> daily|weekly <weekday>|monthly <1-28> [HH:MM] [Area/City] [until YYYY-MM-DD] [reason…]"
        ),
        _l(
            "A top-up every period, approved once (defaults: 09:00, your time zone); `up-to` adds what is missing to reach the amount."
        ),
    ),
    (
        _l("/partner recurring list | pause|resume|cancel <n>"),
        _l(
            "Your series. `recurring change <n> <amount>` or `recurring change <n> until YYYY-MM-DD`: lowering, pausing and cancelling apply at once; a raise needs an approver."
        ),
    ),
    (
        _l(
            "/partner [product] auto-topup <subaccount> below <amount> add <amount> [max <amount> per month]"
        ),
        _l("One top-up whenever a reading finds the balance below the amount, approved once."),
    ),
    (
        _l("/partner language [fr|en] [here]"),
        _l("Show the languages, or set what the workspace's channels (or this one) get (admins)."),
    ),
    (
        _l("/partner setup"),
        _l("Enter or replace each product's API key (workspace admins and owners)."),
    ),
    (_l("/partner help"), _l("This message.")),
]
ENGLISH_WORDS_TOO = _l(
    "The English command words work too (`balance`, `credit add`, `approvers`, `policy`…), "
    "and every French one with or without its accents."
)
"""Shown to readers of another language than English, whose usage lines are in their words."""
FOOTER = _l("Replies are only visible to you. A subaccount's own API key is never shown.")

UNKNOWN_SUBCOMMAND = _l("I don't know `{name}`.")
UNKNOWN_PRODUCT = _l("`{name}` is not a product: use `sms`, `mail` or `voice`.")
DID_YOU_MEAN = _l(" Did you mean `/partner {suggestion}`?")
BALANCE_ARGS = _l("`/partner balance` takes at most a product: `sms`, `mail` or `voice`.")
SUBACCOUNT_NEEDS_REF = _l(
    "Which subaccount? Give its email, id or token: `/partner subaccount client@example.com`."
)
DELETE_NEEDS_REF = _l(
    "Which subaccount? `/partner subaccount delete client@example.com [reason…]`."
)
AMOUNT_AMBIGUOUS = _l(
    "“{typed}” is ambiguous: is it one amount (write 1250 or 12,50) or an amount then a reason starting with a number (put the currency between them: `12 € 50 SMS`)? A space groups thousands only before exactly 3 digits (`1 000,50`)."
)
CREDIT_USAGE = _l(
    "Write it as `/partner credit add|remove &lt;subaccount&gt; &lt;amount&gt; [reason…]`, e.g. `/partner credit add client@example.com 12,50 top-up for May`."
)
APPROVERS_USAGE = _l(
    "Write it as `/partner approvers add|remove @someone` (or a @group), or `/partner approvers list`."
)
ADMINS_USAGE = _l("Write it as `/partner admins add|remove @someone`, or `/partner admins list`.")
POLICY_USAGE = _l(
    "Write it as `/partner policy &lt;setting&gt; &lt;value&gt;`: `auto-approve 50`, `daily-cap 200|none`, `two-approvers 1000|none`, `expiry 24h`, `requesters @group|everyone`, `remind 4h|off`, `escalate 12h|off`. `/partner policy` alone shows the policy."
)
POLICY_EXPIRY = _l(
    "Expiry is a number of hours between 1 and {most}: `/partner policy expiry 24h`."
)
POLICY_REMINDERS = _l(
    "Reminders and escalation take a number of hours between 1 and {most}, or `off`: `/partner policy remind 4h`, `/partner policy escalate 12h`."
)
POLICY_REQUESTERS = _l(
    "Requesters are a user group or everyone: `/partner policy requesters @finance-team`."
)
AUDIT_USAGE = _l(
    "Write it as `/partner audit [days]` or `/partner audit export [days]`, with 1 to {most} days."
)
DIGEST_USAGE = _l(
    "Write it as `/partner digest subscribe [HH:MM] [Area/City] [weekdays] [sms|mail|voice|all]`, or `/partner digest unsubscribe|list|now|preview`."
)
ALERT_USAGE = _l(
    "Write it as `/partner [product] alert main &lt;warn&gt; [critical]`, `alert subaccounts &lt;amount&gt;`, `alert subaccount &lt;subaccount&gt; &lt;amount&gt;`, `alert channel` or `alert list`."
)
ALERT_CRITICAL_ABOVE_WARN = _l(
    "The critical threshold must be below the warning one: `/partner alert main 500 100`."
)
APPROVE_NEEDS_NUMBER = _l(
    "Which request? Give its number, as `/partner approvals` lists it: `/partner approve 3`."
)
REJECT_NEEDS_NUMBER = _l(
    "Which request? Give its number and why: `/partner reject 3 over budget this month`."
)
REJECT_NEEDS_REASON = _l(
    "Say why: the requester reads it. `/partner reject {id} over budget this month`."
)
NOT_A_REQUEST_NUMBER = _l(
    "`{typed}` is not a request number: they are shown as #3 on the cards and in `/partner approvals`."
)
