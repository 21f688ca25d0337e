"""Text of digests and of `/partner digest …`, in the reader's language: a digest in its
channel's (bot.slack.locale.channel_language), the replies to a command in the asker's.
Counts and amounts come formatted (bot.i18n.formatting)."""

from bot.i18n import _l, ngettext

TITLE = _l("Balance digest — {date}")
FALLBACK = _l("Balance digest: {summary}")
SUMMARY_UNAVAILABLE = _l("{product} unavailable")
LATE = _l(
    ":hourglass: This digest is {minutes} min late: Partner Ops was not running at {scheduled}."
)
SINCE = _l("Changes since the previous digest ({since}).")
SINCE_DAY = _l("Changes over the last 24 hours.")
PRODUCT = "*{product}* — {balance}"
CHANGE_LAST = _l("*Since last digest*\n{change}")
CHANGE_DAY = _l("*Last 24 hours*\n{change}")
CHANGE_WEEK = _l("*7 days*\n{change} {spark}")
DAYS_LEFT_NONE = _l("*Credit left*\nno recent spending")
COUNTERS_SMS = _l("*Buys*\n{sms} SMS · {eco} eco")
COUNTERS_MAIL = _l("*Buys*\n{mail} e-mails")
NO_HISTORY = "—"
NO_ANSWER = _l("no answer")
UNREADABLE = _l(
    ":warning: *{product}* could not be read: {detail}. Nothing is shown for it today; "
    "the next digest will try again."
)
MAIN_WARN = _l(":warning: The main account is below its warning threshold of {threshold}.")
MAIN_CRITICAL = _l(
    ":rotating_light: The main account is below its critical threshold of {threshold}."
)
ATTENTION_TITLE = _l("*Needs attention*")
BELOW = _l("• :small_red_triangle_down: {email} — {balance} (alert below {threshold})")
SPENDER = _l("• :chart_with_downwards_trend: {email} — {balance} (spent {spent} since yesterday)")
FULL_LIST_ATTACHED = _l("the full list is in the attached CSV")
SUBACCOUNT_LINE = "• {email} — {balance}"
PENDING_NONE = _l(":white_check_mark: No request waiting for approval.")
PENDING_ITEM = "#{id} {what}"
PENDING_HIDDEN = _l(":lock: Requests awaiting approval are shown to approvers and admins.")
PREVIEW_CSV_SENT = _l(":paperclip: The attached CSV is in your direct messages with Partner Ops.")
CSV_TITLE = _l("Subaccounts {date}")
CSV_COMMENT = _l("Every subaccount's balance, {date}.")

SUBSCRIBED = _l(
    ":calendar: This channel gets a balance digest at {schedule}{products}. Next: {next}."
)
SUBSCRIBED_PRODUCTS = _l(" for {products}")
UNSUBSCRIBED = _l(":wave: This channel no longer gets a digest.")
NOT_SUBSCRIBED = _l("This channel has no digest. `/partner digest subscribe` starts one.")
LIST_TITLE = _l("Digests in this workspace")
LIST_EMPTY = _l(
    "No channel gets a digest yet. `/partner digest subscribe` in a channel starts one."
)
LIST_ROW = _l("<#{channel}> · {schedule} · {products} · next {next}{failure}")
LIST_FAILURE = _l(" · :warning: last attempt failed ({failure})")
ALL_PRODUCTS = _l("all products")
POSTED_NOW = _l(":outbox_tray: Digest posted.")
CHANNEL_BROKEN = _l(
    ":warning: The balance digest for <#{channel}> could not be posted ({error}). Invite "
    "Partner Ops back to that channel or unsubscribe it with `/partner digest unsubscribe` "
    "there. Other digests are not affected."
)
SUBSCRIBE_ACTION = _l("subscribe a channel to digests")
UNSUBSCRIBE_ACTION = _l("unsubscribe a channel from digests")
POST_ACTION = _l("post a digest in a channel")


def days_left(n: int) -> str:
    """Plurals by the language's rules: call with the count, then `.format(…)`."""
    return ngettext(
        "*Credit left*\n≈ {days} day at the recent rate",
        "*Credit left*\n≈ {days} days at the recent rate",
        n,
    )


def totals(n: int) -> str:
    return ngettext(
        "{count} subaccount · {total} in all", "{count} subaccounts · {total} in all", n
    )


def pending(n: int) -> str:
    return ngettext(
        ":inbox_tray: *{count} waiting for approval:* {items}",
        ":inbox_tray: *{count} waiting for approval:* {items}",
        n,
    )


def and_more(n: int) -> str:
    return ngettext(" and {count} more", " and {count} more", n)


def attention_more(n: int) -> str:
    return ngettext("…and {count} more", "…and {count} more", n)
