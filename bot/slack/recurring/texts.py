"""Text of recurring and automatic top-ups: replies in the asker's language, the approval card
in its channel's, the owner's DMs in theirs. Amounts, dates and times come formatted."""

from bot.i18n import _l

USAGE = _l(
    "`/partner recurring add &lt;subaccount&gt; &lt;amount&gt; daily|weekly &lt;weekday&gt;|monthly &lt;1-28&gt; "
    "[HH:MM] [Area/City] [until YYYY-MM-DD] [reason…]` (or `up-to &lt;amount&gt;` to top up to a "
    "level), `recurring list`, `recurring pause|resume|cancel &lt;n&gt;`, `recurring change &lt;n&gt; "
    "&lt;amount&gt;|until YYYY-MM-DD`, `recurring approve|reject &lt;n&gt;`."
)
AUTO_USAGE = _l(
    "`/partner auto-topup &lt;subaccount&gt; below &lt;amount&gt; add &lt;amount&gt; [max &lt;amount&gt; per month]`, "
    "`auto-topup list`, `auto-topup cancel &lt;n&gt;`."
)
BAD_ZONE = _l("`{zone}` is not a time zone: write it as Area/City (`Europe/Paris`) or `UTC`.")
BAD_TIME = _l("`{time}` is not a time of day: write it as HH:MM, 00:00 to 23:59.")
BAD_DATE = _l("`{date}` is not a date: write it as YYYY-MM-DD.")
BAD_DAY = _l("A monthly top-up runs on a day from 1 to 28 (every month has it).")
BAD_WEEKDAY = _l("`{day}` is not a day of the week.")
NEEDS_FREQUENCY = _l("How often? `daily`, `weekly &lt;weekday&gt;` or `monthly &lt;1-28&gt;`.")
BAD_NUMBER = _l("`{number}` is not a number: `/partner recurring pause 3`.")
UNTIL_PAST = _l("The end ({until}) is already past.")

EVERY_DAILY = _l("every day at {time} ({zone})")
EVERY_WEEKLY = _l("every {weekday} at {time} ({zone})")
EVERY_MONTHLY = _l("on day {day} of every month at {time} ({zone})")
WHEN_BELOW = _l("when a reading finds it below {below}")
WEEKDAYS = (
    _l("Monday"),
    _l("Tuesday"),
    _l("Wednesday"),
    _l("Thursday"),
    _l("Friday"),
    _l("Saturday"),
    _l("Sunday"),
)

CARD_HEADER = _l("Recurring top-up #{number}")
AUTO_HEADER = _l("Automatic top-up #{number}")
FIELD_ASKER = _l("*Asked by*\n<@{user}>")
FIELD_SUBACCOUNT = _l("*Subaccount*\n{product}: {email}")
FIELD_PER_RUN = _l("*Each run adds*\n{amount}")
FIELD_LEVEL = _l("*Tops up to*\n{amount} (adds what is missing)")
FIELD_WHEN = _l("*When*\n{when}")
FIELD_NEXT = _l("*Next runs*\n{runs}")
FIELD_END = _l("*Ends*\n{end}")
NO_END = _l("when cancelled")
FIELD_MONTH = _l("*At most a month*\n{amount}")
NO_MONTHLY_MAX = _l("*At most a month*\nno maximum: one top-up each time it falls below")
CARD_REFUSED = _l(
    "The card could not be posted in <#{channel}> (Slack said `{error}`), so nothing was set "
    "up: invite the app to that channel, or ask an administrator to choose another one."
)
FIELD_REASON = _l("*Reason*\n{reason}")
NO_REASON = _l("(none)")
CARD_NOTE = _l(
    "One approval covers every run. Each run is a request already approved, carried out once."
)
CARD_FALLBACK = _l("Recurring top-up #{number}: {what}, {state}")
APPROVE = _l("Approve")
REJECT = _l("Reject")
STATE_PENDING = _l(":hourglass: Waiting for approval: {done} of {count}.")
STATE_ACTIVE = _l(":white_check_mark: Approved by {approvers}: active.")
STATE_PAUSED = _l(":double_vertical_bar: Paused.")
STATE_CANCELLED = _l(":no_entry_sign: Cancelled.")
STATE_ENDED = _l(":checkered_flag: Ended.")
RAISE_WAITING = _l(":arrow_up: <@{user}> asks to raise it: {what}. It needs another approver.")

SENT = _l("Recurring top-up #{number} is waiting for approval in <#{channel}>.")
APPROVED = _l("Recurring top-up #{number} is approved: its runs start with the next one.")
APPROVAL_COUNTED = _l("Your approval of recurring top-up #{number} is counted: it needs one more.")
RAISE_APPROVED = _l("The raise of recurring top-up #{number} is approved.")
PAUSED = _l("Recurring top-up #{number} is paused.")
RESUMED = _l("Recurring top-up #{number} runs again from its next period.")
CANCELLED = _l("Recurring top-up #{number} is cancelled.")
CHANGED = _l("Recurring top-up #{number} is changed.")
RAISE_PROPOSED = _l(
    "Raising recurring top-up #{number} needs another approver: it is on its card in "
    "<#{channel}>. Until then it runs as before."
)
NOT_FOUND = _l("There is no recurring top-up #{number}.")
NOT_NOW = _l("Recurring top-up #{number} is {state}: that cannot be done now.")
LIST_EMPTY = _l("No recurring or automatic top-ups yet. {usage}")
LIST_LINE = _l("*#{number}* {state} · {what} · {when}{last}")
LAST_RESULT = _l(" · last: {result} ({period})")

STATE_WORDS = {
    "pending": _l("waiting for approval"),
    "active": _l("active"),
    "paused": _l("paused"),
    "cancelled": _l("cancelled"),
    "ended": _l("ended"),
}
RUN_WORDS = {
    "running": _l("running"),
    "waiting": _l("waiting for money"),
    "succeeded": _l("done"),
    "failed": _l("failed"),
    "skipped": _l("skipped"),
}
RUN_TRIED_AGAIN = _l("to be tried again")
"""A waiting run cut short with nothing moved (not waiting for money)."""

WHY = {
    "missed": _l("nothing ran when it was due (more than 72 hours ago)"),
    "anomaly": _l(
        "a spend anomaly on the subaccount is open: no top-up feeds it until someone judges it"
    ),
    "frozen": _l("the subaccount is frozen"),
    "full": _l("the subaccount was already at its level"),
    "monthly_max": _l("it would pass the monthly maximum"),
    "main_too_low": _l(
        "the main balance was too low, at the run and at each retry (+1 h, +6 h, +24 h)"
    ),
    "vendor": _l("the vendor refused it or could not be reached"),
    "interrupted": _l(
        "it was cut short during the vendor call each time it was tried, and nothing moved"
    ),
    "deleted": _l("its subaccount no longer exists"),
    "failures": _l("three periods in a row failed"),
    "key_changed": _l("the product's Partner key changed since it was approved"),
}
DM_SKIPPED = _l(":fast_forward: Recurring top-up #{number} ({what}) skipped {periods}: {why}.")
DM_FAILED = _l(":x: Recurring top-up #{number} ({what}) failed for {periods}: {why}.")
DM_PAUSED = _l(
    ":double_vertical_bar: Recurring top-up #{number} ({what}) is paused: {why}. "
    "`/partner recurring resume {number}` starts it again."
)
DM_ENDED = _l(":checkered_flag: Recurring top-up #{number} ({what}) has ended.")
DM_ENDED_WHY = _l(":checkered_flag: Recurring top-up #{number} ({what}) has ended: {why}.")
DM_LOW_MAIN = _l(
    ":warning: Recurring top-up #{number} ({what}) runs {period} and needs {amount}, but the "
    "{product} main balance is {main}. Add credit before then, or it is retried at +1 h, "
    "+6 h and +24 h and then fails."
)
HOME_TITLE = _l("Recurring and automatic top-ups")
HOME_LINE = _l("*#{number}* {what} · next: {next} · last: {last}")
HOME_NONE = _l("none")
