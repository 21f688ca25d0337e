"""The one usage line of each `/partner` subcommand, shown under a refusal instead of the whole
help (bot.slack.partner_command). The command words stay English (the French ones work too and
help lists them); the <placeholders> are the reader's."""

from bot.i18n import _l

HELP = _l("/partner help")
SETUP = _l("/partner setup")
BALANCE = _l("/partner balance [sms|mail|voice]")
SUBACCOUNTS = _l("/partner [product] subaccounts [text]")
SUBACCOUNT = _l("/partner [product] subaccount <email|id|token>")
SUBACCOUNT_CREATE = _l("/partner [product] subaccount create")
SUBACCOUNT_DELETE = _l("/partner [product] subaccount delete <subaccount> [reason…]")
CREDIT = _l("/partner [product] credit add|remove <subaccount> <amount> [reason…]")
CREDIT_ADD = _l("/partner [product] credit add <subaccount> <amount> [reason…]")
CREDIT_REMOVE = _l("/partner [product] credit remove <subaccount> <amount> [reason…]")
BATCH = _l("/partner [sms|mail] batch")
APPROVALS = _l("/partner approvals")
APPROVE = _l("/partner approve <number>")
REJECT = _l("/partner reject <number> <reason…>")
REQUESTS = _l("/partner requests")
APPROVERS = _l("/partner approvers add|remove|list [@user|@group]")
ADMINS = _l("/partner admins add|remove|list [@user]")
APPROVALS_CHANNEL = _l("/partner approvals-channel")
POLICY = _l("/partner policy [<setting> <value>]")
AUDIT = _l("/partner audit [days] | audit export [days]")
DIGEST = _l(
    "/partner digest subscribe [HH:MM] [Area/City] [weekdays] [sms|mail|voice|all] "
    "| digest unsubscribe|list|now|preview"
)
ALERT = _l(
    "/partner [product] alert main <warn> [critical] | alert subaccounts <amount> "
    "| alert subaccount <subaccount> <amount> | alert channel | alert list"
)
LANGUAGE = _l("/partner language [fr|en] [here]")
ANOMALY = _l("/partner anomaly floor <EUR per hour> | anomaly export [days]")
USAGE_STATEMENT = _l("/partner [product] usage [YYYY-MM] [subaccount]")
FREEZE = _l("/partner [product] freeze <subaccount>")
UNFREEZE = _l("/partner [product] unfreeze <subaccount>")
CAP = _l("/partner [product] cap <subaccount> <amount>|off | cap list")
RECURRING = _l(
    "/partner [product] recurring add <subaccount> [up-to] <amount> daily|weekly <weekday>|monthly <1-28> [HH:MM] [Area/City] [until YYYY-MM-DD] [reason…] | recurring list|pause|resume|cancel|approve|reject <n>"
)
AUTO_TOPUP = _l(
    "/partner [product] auto-topup <subaccount> below <amount> add <amount> [max <amount> per month] | auto-topup list|cancel <n>"
)

USAGE_LINE = _l("Usage: `{usage}`")
HELP_POINTER = _l("`/partner help` lists every command.")
