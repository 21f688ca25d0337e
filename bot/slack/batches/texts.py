"""Text of `/partner batch`: the form (the asker's language), the card (its channel's), the
results (the requester's)."""

from bot.i18n import _l, ngettext

TAKES_NOTHING = _l("`batch` takes nothing after it: the rows go in the form it opens.")
TITLE = _l("Batch move")
SUBMIT = _l("Check")
CLOSE = _l("Cancel")
INTRO = _l(
    "One row per move: `subaccount,action,amount[,reason][,row_id]`. The action is `add` or "
    "`remove`; the amount is written as in `/partner credit` (`12,50`, `1 000`). A first line "
    "`subaccount,action,amount,…` is a header and skipped; `;` works as the separator too. "
    "At most 500 rows. Nothing moves until every row is right and the batch is approved."
)
FILE_LABEL = _l("CSV file")
ROWS_LABEL = _l("Or paste the rows")
ROWS_HINT = _l("Leave it empty when you upload a file.")
NEITHER = _l("Upload one CSV file or paste the rows.")
BOTH = _l("Upload a file or paste rows, not both.")
FILE_UNREADABLE = _l("This file could not be read as text (UTF-8): save it as CSV and try again.")
FILE_TOO_BIG = _l("This file is larger than {most}: a batch has at most 500 rows.")
FILE_NOT_FETCHED = _l("Slack did not give the file to the app ({why}). Try again in a moment.")
FILES_SCOPE = _l(
    "The app may not read uploaded files in this workspace yet: an admin must reinstall it "
    "(it now asks for `files:read`). Meanwhile, paste the rows instead."
)
ROW_LINE = _l("Row {line}: {problem}")
MORE = _l("… and {count} more.")
CHECKING = _l("Checking the rows against the live balances…")
PROBLEMS_TITLE = _l("Nothing was made")
PROBLEMS_HEAD = _l("*These rows cannot be carried out.* Fix them and run `/partner batch` again:")
QUESTIONS_TITLE = _l("Before it goes on")
QUESTIONS_HEAD = _l("*Batch #{number}* ({count} rows) is checked. Please confirm first:")
SAME_FILE = _l("The same rows were sent less than 24 hours ago, as batch #{number}.")
ROW_IDS_DONE = _l("Rows {lines} have a row id already carried out in an earlier batch.")
REPEATED_ROWS = _l("Rows {lines} repeat an earlier row of this file.")
QUESTIONS_FOOT = _l("*Send it anyway* sends it to the approvers; *Cancel* leaves it unsent.")
SEND_ANYWAY = _l("Send it anyway")
SENT_TITLE = _l("Sent for approval")
SENT = _l("*Batch #{number}* ({count} rows) is waiting for approval in <#{channel}>.")

CARD_FIELDS = _l(
    "*Requested by* <@{requester}> · {source}\n"
    "*Added:* {added} · *Removed:* {removed}\n"
    "*Main account:* {before} → {after} (if nothing else moves it)"
)
CARD_TWO = _l("Needs {count} different approvers ({given} given).")
CARD_ONE = _l("Needs one approver.")
CARD_FIRST_ROWS = _l("*First rows*")
CARD_ROW = _l("{line}. {verb} {amount} · {email}{reason}")
VERB_ADD = _l("add")
VERB_REMOVE = _l("remove")
CARD_MORE_ROWS = _l("… {count} more in the CSV in this thread.")
REJECT_TITLE = _l("Reject batch #{number}")
REJECT_TITLE_SHORT = _l("Reject a batch")
REJECT_LABEL = _l("Why? The requester is told.")
REJECT_SUBMIT = _l("Reject")
REJECTED_DM = _l("Batch #{number} was rejected by <@{by}>: {reason}")
EXPIRED_DM = _l("Batch #{number} expired: nobody approved it in time. Nothing moved.")
MARK = _l("Settle unknown rows")
MARK_TITLE = _l("Unknown rows")
MARK_HEAD = _l(
    "The vendor's answer for these rows was lost and the balances could not tell. Check them "
    "on the vendor's dashboard, then say which went through (approvers):"
)
MARK_DONE = _l("Rows that went through (numbers)")
MARK_FAILED = _l("Rows that did not (numbers)")
MARK_HINT = _l("Row numbers separated by commas or spaces, e.g. 12, 40.")
MARK_SUBMIT = _l("Save")
MARK_NOT_NUMBERS = _l("Only row numbers, separated by commas or spaces.")
MARK_NOT_UNKNOWN = _l("Not unknown rows: {lines}.")
MARK_BOTH = _l("Rows in both lists: {lines}.")
MARK_NONE = _l("Name at least one row.")
MARKED = _l("Saved: the card and the results CSV in its thread are up to date.")
APPROVE = _l("Approve")
REJECT = _l("Reject")
STATE_PENDING = _l(":hourglass: Waiting for approval.")
STATE_APPROVED = _l(":white_check_mark: Approved by <@{by}>: starting.")
STATE_RUNNING = _l(
    ":arrows_counterclockwise: Running: {done} of {total} rows ({ok} done, {failed} failed, {unknown} unknown)."
)
STATE_DONE = _l(
    ":checkered_flag: Finished: {ok} done, {failed} failed, {unknown} unknown of {total}. Results in the thread."
)
STATE_REJECTED = _l(":x: Rejected by <@{by}>.")
STATE_CANCELLED = _l(":no_entry_sign: Withdrawn by its requester.")
STATE_EXPIRED = _l(":clock3: Expired: nobody approved it in time.")
THREAD_CSV = _l("The batch's rows, as sent.")
RESULTS_COMMENT = _l("Results of batch #{number}: {ok} done, {failed} failed, {unknown} unknown.")
OWN_BATCH = _l("You asked for batch #{number}: another approver decides it.")
DECIDED = _l("Batch #{number} is no longer waiting for approval.")
ALREADY_YOURS = _l("You already approved batch #{number}.")
APPOINTED = _l(
    "You were made an approver by the requester of batch #{number} less than 24 hours "
    "before they asked: another approver decides it."
)
NOT_APPROVER = _l("Only approvers decide batches.")


def card_head(count: int) -> str:
    return ngettext(
        "Batch #{number}: {count} credit move ({product})",
        "Batch #{number}: {count} credit moves ({product})",
        count,
    )


def card_fallback(count: int) -> str:
    return ngettext(
        "Batch #{number} by <@{requester}>: {count} credit move",
        "Batch #{number} by <@{requester}>: {count} credit moves",
        count,
    )


LIST_TITLE = _l("Batches")
LIST_ITEM = _l("*Batch #{number}* · {what} · <@{requester}> · {when}\n{state}")
LIST_DONE = _l(
    ":checkered_flag: Finished: {ok} done, {failed} failed, {unknown} unknown of {total}. "
    "The results CSV is in your direct messages with the app."
)
APPROVE_NUMBER = _l("Approve batch #{number}")
REJECT_NUMBER = _l("Reject batch #{number}")
COUNTED = _l("Your approval of batch #{number} is counted ({given} of {count}).")
APPROVED_RUNS = _l(
    "Batch #{number} is approved: its rows are being carried out. Its card shows the progress."
)
DECIDED_TYPED = _l("Batch #{number}: {state}")


def list_what(count: int) -> str:
    return ngettext(
        "{count} row ({product}): +{added} / −{removed}",
        "{count} rows ({product}): +{added} / −{removed}",
        count,
    )


def list_more(count: int) -> str:
    return ngettext("… and {count} more batch.", "… and {count} more batches.", count)
