"""Text of `/partner help` and of the command parser's refusals, in the reader's language
(the usage lines keep the English command words; French ones are listed for French readers)."""

from bot.i18n import _l

TITLE = _l("Partner Ops — what you can ask")
INTRO = _l(
    "Start with a product word to pick `sms` (the default), `mail` or `voice`: "
    "`/partner mail subaccounts`."
)
USAGE = [
    (
        "/partner balance [sms|mail|voice]",
        _l("Main account balance and counters, for every product set up or the one named."),
    ),
    (
        "/partner [product] subaccounts [text]",
        _l("Subaccounts with their balances, filtered by email, id or token."),
    ),
    ("/partner [product] subaccount <email|id|token>", _l("One subaccount's details.")),
    (
        "/partner [product] credit add|remove <subaccount> <amount> [reason…]",
        _l(
            "Ask to move credit between the main account and a subaccount (approved by an approver)."
        ),
    ),
    ("/partner [product] subaccount create", _l("Ask for a new subaccount (a form).")),
    (
        "/partner [product] subaccount delete <subaccount> [reason…]",
        _l("Ask to delete a subaccount."),
    ),
    ("/partner requests", _l("Your requests and where they stand.")),
    ("/partner approvals", _l("Requests waiting for a decision (approvers).")),
    ("/partner approvers add|remove|list [@user|@group]", _l("Who may approve (admins).")),
    (
        "/partner admins add|remove|list [@user]",
        _l("Who may set the policy, besides workspace admins (admins)."),
    ),
    (
        "/partner approvals-channel",
        _l("Run it in the channel that receives approval cards (admins)."),
    ),
    (
        "/partner policy [setting value]",
        _l("Show or set: auto-approve, daily-cap, two-approvers, expiry, requesters (admins)."),
    ),
    (
        "/partner audit [days] | audit export [days]",
        _l("Recent audit entries, or all of them as a CSV file (admins and approvers)."),
    ),
    (
        "/partner digest subscribe [HH:MM] [Area/City] [weekdays] [sms|mail|voice|all]",
        _l(
            "A daily balance digest in this channel (defaults: 09:00, your time zone, every day, all products)."
        ),
    ),
    (
        "/partner digest unsubscribe | list | now | preview",
        _l(
            "Stop this channel's digest, list the workspace's digests, post one here now, or preview one only you see."
        ),
    ),
    (
        "/partner [product] alert main <warn> [critical]",
        _l("Alert when the main account falls below these amounts."),
    ),
    (
        "/partner [product] alert subaccounts <amount> | alert subaccount <subaccount> <amount>",
        _l("Alert when any (or one) subaccount falls below an amount."),
    ),
    (
        "/partner alert channel | alert list",
        _l("Run it in the channel that receives alerts; list the thresholds."),
    ),
    (
        "/partner anomaly floor <EUR per hour>",
        _l("Spend alerts: what a subaccount with under 7 days of history may spend an hour (admins)."),
    ),
    (
        "/partner [product] anomaly export [days]",
        _l("The spend ledger as a CSV file, by direct message (admins and approvers)."),
    ),
    (
        "/partner language [fr|en] [here]",
        _l("Show the languages, or set what the workspace's channels (or this one) get (admins)."),
    ),
    (
        "/partner setup",
        _l("Enter or replace each product's API key (workspace admins and owners)."),
    ),
    ("/partner help", _l("This message.")),
]
FRENCH_WORDS = _l(
    "French words work too: `solde`, `sous-comptes`, `sous-compte créer|supprimer`, "
    "`crédit ajouter|retirer`, `demandes`, `approbations`, `approbateurs`, `politique`, "
    "`journal`, `résumé maintenant|abonner|désabonner`, `alerte principal`, `langue`, `aide`."
)
"""Shown to French readers only: the aliases of bot.slack.partner_command."""
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
    "Write it as `/partner policy &lt;setting&gt; &lt;value&gt;`: `auto-approve 50`, `daily-cap 200|none`, `two-approvers 1000|none`, `expiry 24h`, `requesters @group|everyone`. `/partner policy` alone shows the policy."
)
POLICY_EXPIRY = _l("Expiry is a number of hours between 1 and 336: `/partner policy expiry 24h`.")
POLICY_REQUESTERS = _l(
    "Requesters are a user group or everyone: `/partner policy requesters @finance-team`."
)
AUDIT_USAGE = _l(
    "Write it as `/partner audit [days]` or `/partner audit export [days]`, with 1 to 366 days."
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
