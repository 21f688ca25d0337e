"""Text of the admin commands: `approvers`, `admins`, `approvals-channel`, `policy`, `audit`."""

from bot.i18n import _l, _lp, ngettext

# --- who may ------------------------------------------------------------------------------

ADMINS = _l("Partner Ops admins (workspace admins and owners, and people they added)")
MANAGE_APPROVERS = _l("add or remove approvers")
MANAGE_ADMINS = _l("add or remove admins")
ADD_ADMINS = _l("add admins")
WORKSPACE_ADMINS = _l("workspace admins and owners")
SET_CHANNEL = _l("choose the approvals channel")
SET_POLICY = _l("change the approval policy")
SEE_AUDIT = _l("read the audit trail")

# --- approvers and admins -----------------------------------------------------------------

ROLE_NAMES = {"approver": _l("an approver"), "admin": _l("an admin")}
ADDED = _l(":white_check_mark: {subject} is now {role}.")
ADDED_GROUP = _l(":white_check_mark: Everyone in {subject} is now {role}.")
ALREADY = _l(":information_source: {subject} is already {role}. Nothing was changed.")
REMOVED = _l(":white_check_mark: {subject} is no longer {role}.")
NOT_ROLE = _l(":information_source: {subject} was not {role}. Nothing was changed.")
NOT_ADDED_ADMIN = _l(
    ":information_source: {subject} was not added as an admin here. Nothing was changed "
    "(workspace admins and owners are always Partner Ops admins)."
)
APPROVERS_TITLE = _l("Approvers")
APPROVERS_INTRO = _l("These people and groups can approve or reject requests:")
APPROVERS_NONE = _l(
    ":warning: Nobody is an approver yet, so requests cannot be approved until an admin adds "
    "one: `/partner approvers add @someone` (or a @group)."
)
APPROVERS_FALLBACK = _l("Approvers: {count}")
ADMINS_TITLE = _l("Admins")
ADMINS_INTRO = _l("Added as Partner Ops admins:")
ADMINS_NONE = _l("Nobody has been added as a Partner Ops admin.")
ADMINS_ALWAYS = _l(
    "Workspace admins and owners are always Partner Ops admins. Add others with "
    "`/partner admins add @someone`."
)
ADMINS_FALLBACK = _l("Admins added: {count}")
GROUP_SUFFIX = _l(" (group)")

# Only real people and existing groups get a role; `{subject}` is the mention (or the id).
NOT_ELIGIBLE = {
    "unknown_user": (
        _l(
            ":warning: {subject} is not a user of this workspace, so they cannot be given a role. "
            "Nothing was changed."
        )
    ),
    "deactivated": (
        _l(
            ":warning: {subject} is deactivated: only active people can be given a role. "
            "Nothing was changed."
        )
    ),
    "bot": (
        _l(
            ":warning: {subject} is a bot or an app: only people can be given a role. "
            "Nothing was changed."
        )
    ),
    "guest": (
        _l(
            ":warning: {subject} is a guest: only full members of the workspace can be given a "
            "role. Nothing was changed."
        )
    ),
    "unknown_group": (
        _l(
            ":warning: {subject} is not a user group of this workspace (or it is disabled). "
            "Nothing was changed."
        )
    ),
    "empty_group": (
        _l(
            ":warning: {subject} has nobody in it: as the requesters group, nobody could make "
            "requests. Add people to it first, or keep `everyone`. Nothing was changed."
        )
    ),
}

# --- approvals channel --------------------------------------------------------------------

CHANNEL_SET = _l(":white_check_mark: Approval cards will be posted in {channel} from now on.")
CHANNEL_ALREADY = _l(":information_source: {channel} already receives the approval cards.")
CHANNEL_NOT_MEMBER = _l(
    ":warning: I am not a member of this channel, so I could not post approval cards here. "
    "Invite me first with `/invite @Partner Ops` in this channel, then run "
    "`/partner approvals-channel` again. Nothing was changed."
)
CHANNEL_ARCHIVED = _l(
    ":warning: This channel is archived, so no approval card could be posted here. Run "
    "`/partner approvals-channel` in an active channel. Nothing was changed."
)
CHANNEL_NOT_A_CHANNEL = _l(
    ":warning: Approval cards go to a channel the approvers share, not a direct message. Run "
    "`/partner approvals-channel` in that channel. Nothing was changed."
)

# --- policy -------------------------------------------------------------------------------

POLICY_TITLE = _l("Approval policy")
RULES_TITLE = _l("*What happens to a request*")
RULE_MOVES_NEVER = _l("Every credit move needs an approver.")
RULE_MOVES_NEVER_TWO = _l(
    "Every credit move needs an approver; moves above {two} need two approvers."
)
RULE_MOVES_AUTO = _l("Moves up to {auto} run at once; moves above {auto} need an approver.")
RULE_MOVES_AUTO_TWO = _l(
    "Moves up to {auto} run at once; moves above {auto} need an approver; moves above {two} "
    "need two approvers."
)
RULE_MOVES_AUTO_IS_TWO = _l("Moves up to {two} run at once; moves above {two} need two approvers.")
RULE_CAP = _l(
    "Each requester may auto-run up to {cap} in 24 hours; beyond that, moves need an approver."
)
RULE_NO_CAP = _l("There is no daily cap on what a requester may auto-run.")
RULE_DELETIONS = _l("Deletions always need an approver.")
RULE_NEW_SUBACCOUNT = _l(
    "A new subaccount without credit needs no approval; with credit it is a move like any other."
)
RULE_EXPIRY = _l("Requests expire after {hours} h.")
RULE_REMIND = _l("A waiting request reminds its approvers every {hours} h.")
RULE_ESCALATE = _l("A request still waiting after {hours} h is brought to the admins.")
RULE_REMIND_AFTER_EXPIRY = _l(
    ":warning: Requests expire after {expiry} h, before the first reminder at {hours} h: no "
    "reminder is ever sent. Set `remind` below the expiry."
)
RULE_ESCALATE_AFTER_EXPIRY = _l(
    ":warning: Requests expire after {expiry} h, before the escalation at {hours} h: none is "
    "ever brought to the admins. Set `escalate` below the expiry."
)
RULE_EVERYONE = _l("Anyone in the workspace may ask.")
RULE_GROUP = _l("Only members of {group} may ask.")
RULE_CHANNEL = _l("Approval cards go to {channel}.")
RULE_NO_CHANNEL = _l(
    ":warning: No approvals channel yet: run `/partner approvals-channel` in the channel that "
    "should get the cards."
)
RULES_ORDER = _l(
    "Checked in this order: who may ask, then deletions, then the two-approver amount, then "
    "the auto-approve limit and the daily cap. A move above the two-approver amount never runs "
    "at once."
)
SETTINGS_TITLE = _l("*Settings*")
ADJUSTED = {
    "auto_approve_limit": (
        _l(
            ":information_source: The auto-approve limit was lowered from {old} to {new} with it: "
            "a move above the two-approver amount always needs two approvers."
        )
    ),
}
POLICY_CONFLICT = {
    "auto_approve_limit": (
        _l(
            ":warning: The auto-approve limit cannot be above the two-approver amount ({limit}): "
            "moves above {limit} always need two approvers, so nothing above it could run at once. "
            "Set `/partner policy auto-approve {limit_plain}` or less, or raise `two-approvers` "
            "first. Nothing was changed."
        )
    ),
}
POLICY_CHANGED = _l(":white_check_mark: Policy changed: {setting} {old} → {new}.")
POLICY_UNCHANGED = _l(":information_source: {setting} was already {value}. Nothing was changed.")
POLICY_HOW_TO_CHANGE = _l(
    "Admins change a setting with `/partner policy &lt;setting&gt; &lt;value&gt;`: "
    "`auto-approve 50`, "
    "`daily-cap 200|none`, `two-approvers 1000|none`, `expiry 24h`, "
    "`requesters @group|everyone`, `remind 4h|off`, `escalate 12h|off`. A change that loosens money control (a higher limit, no "
    "cap) waits for another approver to confirm it; amounts are capped at {auto_max} "
    "(auto-approve) and {cap_max} (daily cap)."
)
SETTING_LINE = _l("*{label}*: {value} — _{meaning}_")
SETTING_LINE_CHANGED = _l("*{label}*: {old} → *{value}*  _(changed)_ — _{meaning}_")
SETTING_LABELS = {
    "auto_approve_limit": _l("Auto-approve limit"),
    "daily_auto_approve_cap": _l("Daily auto-approve cap"),
    "two_approver_threshold": _l("Two-approver threshold"),
    "expiry_hours": _l("Expiry"),
    "approvals_channel_id": _l("Approvals channel"),
    "requesters_usergroup_id": _l("Requesters"),
    "remind_hours": _l("Reminders"),
    "escalate_hours": _l("Escalation"),
}
SETTING_MEANINGS = {
    "auto_approve_limit": (
        _l(
            "Credit moves up to this amount are carried out without an approver; 0 means never. "
            "It is never above the two-approver amount."
        )
    ),
    "daily_auto_approve_cap": (
        _l(
            "The most one requester may have auto-approved in a rolling 24 hours; none means no cap."
        )
    ),
    "two_approver_threshold": (
        _l("Moves above this amount need two different approvers; none means one is always enough.")
    ),
    "expiry_hours": _l("A request nobody decides within this time expires."),
    "approvals_channel_id": _l("Where approval cards are posted."),
    "requesters_usergroup_id": _l("Who may ask for credit moves and subaccount changes."),
    "remind_hours": _l(
        "A request still waiting after this long reminds its approvers by DM and in its card's "
        "thread, and again each time as long passes; off means never."
    ),
    "escalate_hours": _l(
        "A request still waiting after this long is brought to the admins by DM and in its "
        "card's thread, once; off means never."
    ),
}
OFF = _l("off")
NEVER = _l("0 (never)")
NO_LIMIT = _l("none")
CHANNEL_NOT_SET = _l(
    "not set: run `/partner approvals-channel` in the channel that should get them"
)
EVERYONE = _l("everyone in the workspace")
APPROVERS_LINE = _l(
    "*Approvers*: {count} (a group counts once)\nSee them with `/partner approvers list`."
)
APPROVERS_LINE_NONE = _l(
    "*Approvers*: none yet\n:warning: Requests cannot be approved until an admin adds one "
    "with `/partner approvers add @someone`."
)

# --- audit --------------------------------------------------------------------------------

AUDIT_TITLE = _l("Audit trail")
AUDIT_MORE = _l("… and {count} more — `/partner audit export` for everything.")
# No backticks around {at}: a date token inside code is not rendered.
AUDIT_LINE = _l("{at} · {actor} {action}{request}{details}")
AUDIT_REQUEST = _l(" — request #{id}{product}{amount}")
AUDIT_REQUEST_UNNUMBERED = _l(" — a request{product}{amount}")
AUDIT_SYSTEM = _l("system")
AUDIT_POLICY = _l(" — {setting}: {old} → {new}")
AUDIT_SUBJECT = _l(" — {subject}")
AUDIT_REQUEST_NUMBER = _l("request #{id}")
AUDIT_NOT_SET = _l("not set")
ACTIONS = {
    "request_created": _l("made a request"),
    "auto_approved": _l("auto-approved"),
    "approval_recorded": _l("recorded an approval"),  # entries written before approval_counted
    "approval_counted": _l("approved (counted)"),
    "approval_not_counted": _l("clicked Approve (not counted)"),
    "approved": _lp("audit action", "approved"),
    "rejected": _lp("audit action", "rejected"),
    "cancelled": _lp("audit action", "cancelled"),
    "withdrawn": _lp("audit action", "withdrew"),
    "expired": _lp("audit action", "expired"),
    "vendor_call_sent": _l("sent to the vendor"),
    "vendor_succeeded": _l("vendor confirmed success"),
    "vendor_failed": _l("vendor refused"),
    "vendor_unknown": _l("vendor outcome unknown"),
    "failed_before_vendor_call": _l("failed before the vendor call"),
    "reconciled_succeeded": _l("reconciled as succeeded"),
    "reconciled_failed": _l("reconciled as failed"),
    "reconciliation_undecided": _l("reconciliation undecided"),
    "execution_abandoned": _l("execution abandoned"),
    "marked_done": _l("marked done"),
    "marked_failed": _l("marked failed"),
    "policy_changed": _l("changed the policy"),
    "approver_added": _l("added an approver"),
    "approver_removed": _l("removed an approver"),
    "admin_added": _l("added an admin"),
    "admin_removed": _l("removed an admin"),
    "no_approval_needed": _l("ran without approval (no money moved)"),
    "partner_key_saved": _l("saved a Partner API key"),
    "cross_workspace_refused": _l("was refused: the request named another workspace"),
    "setting_change_proposed": _l("asked for a setting change (needs an approver)"),
    "setting_change_confirmed": _l("confirmed a setting change"),
    "setting_change_not_confirmed": _l("clicked Confirm on a setting change (not counted)"),
    "setting_change_rejected": _l("rejected a setting change"),
    "setting_change_expired": _l("setting change expired"),
    "language_set": _l("set the language"),
    "alert_channel_set": _l("chose the alerts channel"),
    "alert_threshold_set": _l("set an alert threshold"),
    "alert_snoozed": _l("snoozed an alert"),
    "alert_fired": _l("raised a balance alert"),
    "recurring_proposed": _l("proposed a recurring top-up"),
    "recurring_approval_counted": _l("approved a recurring top-up (counted)"),
    "recurring_approved": _l("approved a recurring top-up"),
    "recurring_raise_proposed": _l("proposed raising a recurring top-up"),
    "recurring_raise_approved": _l("approved raising a recurring top-up"),
    "recurring_raise_rejected": _l("rejected raising a recurring top-up"),
    "recurring_rejected": _l("rejected a recurring top-up"),
    "recurring_lowered": _l("lowered a recurring top-up"),
    "recurring_paused": _l("paused a recurring top-up"),
    "recurring_resumed": _l("resumed a recurring top-up"),
    "recurring_cancelled": _l("cancelled a recurring top-up"),
    "recurring_ended": _l("ended a recurring top-up"),
    "recurring_run": _l("ran a recurring top-up"),
    "digest_subscribed": _l("subscribed a channel to the digest"),
    "digest_unsubscribed": _l("unsubscribed a channel from the digest"),
    "usage_statement_sent": _l("got a usage statement"),
    "subaccount_frozen": _l("froze a subaccount"),
    "subaccount_unfrozen": _l("unfroze a subaccount"),
    "subaccount_cap_set": _l("set a subaccount's cap"),
    "subaccount_cap_removed": _l("removed a subaccount's cap"),
    "batch_created": _l("asked for a batch move"),
    "batch_confirmed": _l("confirmed a batch after its questions"),
    "batch_approval_counted": _l("approved a batch (counted)"),
    "batch_approved": _l("approved a batch"),
    "batch_rejected": _l("rejected a batch"),
    "batch_cancelled": _l("cancelled a batch"),
    "batch_expired": _l("batch expired"),
    "batch_finished": _l("batch finished"),
    "batch_row_sent": _l("sent a batch row to the vendor"),
    "batch_row_succeeded": _l("batch row: vendor confirmed success"),
    "batch_row_failed": _l("batch row: vendor refused"),
    "batch_row_unknown": _l("batch row: vendor outcome unknown"),
    "batch_row_failed_before_call": _l("batch row failed before the vendor call"),
    "batch_row_abandoned": _l("batch row abandoned by a stopped process"),
    "batch_row_reconciled_succeeded": _l("batch row reconciled as succeeded"),
    "batch_row_reconciled_failed": _l("batch row reconciled as failed"),
    "batch_row_marked_done": _l("marked a batch row done"),
    "batch_row_marked_failed": _l("marked a batch row failed"),
}
DETAIL_LABELS = {
    "batch": _l("batch"),
    "line": _l("row"),
    "row_id": _l("row id"),
    "rows": _l("rows"),
    "approvals_needed": _l("approvals needed"),
    "claimed": _l("named"),
    "user_team": _l("their workspace"),
    "kind": _l("request"),
    "request_action": _l("what"),
    "subaccount": _l("subaccount"),
    "reason": _l("reason"),
    "note": _l("note"),
    "recurring": _l("recurring top-up"),
    "period": _l("period"),
    "state": _l("state"),
    "limit": _l("limit"),
    "approvers": _l("approvals"),
    "main_after": _l("main balance after"),
    "subaccount_after": _l("subaccount balance after"),
    "token": _l("new subaccount token"),
    "fingerprint": _l("key"),
    "replaced": _l("replaced"),
    "why": _l("why"),
    "change": _l("setting change"),
    "asked_by": _l("asked by"),
    "similar_to": _l("similar to"),
    "setting": _l("setting"),
    "old": _l("was"),
    "new": _l("new"),
    "channel": _l("channel"),
    "schedule": _l("schedule"),
    "products": _l("products"),
    "product": _l("product"),
    "language": _l("language"),
    "scope": _l("for"),
    "warn": _l("warn below"),
    "critical": _l("critical below"),
    "subject": _l("about"),
    "hours": _l("for"),
    "level": _l("level"),
    "balance": _l("balance"),
    "threshold": _l("threshold"),
    "by": _l("by"),
    "requester": _l("requester"),
    "approver": _l("approver"),
    "requested_by": _l("asked by"),
    "decided_by": _l("decided by"),
    "month": _l("month"),
    "zone": _l("time zone"),
    "to_date": _l("to date"),
    "frozen_by": _l("frozen by"),
    "sweep": _l("sweep"),
}

# --- plurals: call, then `.format(…)` with the numbers already formatted -------------------


def hours(n: int) -> str:
    return ngettext("{hours} hour", "{hours} hours", n)
