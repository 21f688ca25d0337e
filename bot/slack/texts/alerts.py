"""Text of low-balance alerts and `/partner alert …`."""

MAIN_WARN = ":warning: *{product}*: the main account is down to *{balance}*, below its warning threshold of {threshold}."
MAIN_CRITICAL = ":rotating_light: *{product}*: the main account is down to *{balance}*, below its critical threshold of {threshold}."
MAIN_WHO = "Credit is bought from the vendor by the account holder: ask {who}."
MAIN_WHO_DEFAULT = "a workspace admin"
SUBACCOUNT = ":warning: *{product}*: *{email}* is down to *{balance}*, below {threshold}."
SUMMARY = ":warning: *{product}*: {count} subaccounts are below their alert threshold."
SUMMARY_ROW = "• *{email}*: {balance}, below {threshold} (top-up of {top_up} brings it back)"
SUMMARY_MORE = "… and {count} more: `/partner alert list` shows the thresholds."
SUMMARY_HINT = "Ask for a top-up with `/partner credit add <subaccount> <amount>`. Each subaccount is alerted again only after it has recovered."
SUMMARY_FALLBACK = "Low balance: {count} {product} subaccounts below their threshold"
TOP_UP = "Request top-up"
SNOOZE = "Snooze 24 h"
SNOOZED = ":zzz: Alerts for {what} are snoozed until {until} (by <@{user}>)."
FALLBACK = "Low balance: {what} at {balance}"

CHANNEL_SET = ":bell: Low-balance alerts will be posted in <#{channel}>."
THRESHOLD_SET = ":bell: {what}: alert below {warn}{critical}."
CRITICAL = ", critical below {critical}"
WHAT_MAIN = "{product} main account"
WHAT_DEFAULT = "Every {product} subaccount (unless it has its own threshold)"
WHAT_ONE = "{product} subaccount {email}"
NO_CHANNEL_YET = (
    " No alert channel yet: run `/partner alert channel` in the channel that should get them."
)
LIST_TITLE = "Low-balance alerts"
LIST_CHANNEL = "Alerts go to <#{channel}>."
LIST_NO_CHANNEL = (
    "No alert channel yet: run `/partner alert channel` in the channel that should get them."
)
LIST_EMPTY = "No thresholds yet: `/partner alert main 500 100`, `/partner alert subaccounts 10`."
LIST_ROW = "• {what}: below {warn}{critical}"
ADMINS_ONLY = "set alerts"

TOPUP_TITLE = "Request a top-up"
TOPUP_INTRO = "Top up *{email}* ({product}) from the main account. It goes through approval like any credit move."
TOPUP_AMOUNT = "Amount (EUR)"
TOPUP_REASON = "Reason"
