"""Text of the admin commands: `approvers`, `admins`, `approvals-channel`, `policy`, `audit`."""

# --- who may ------------------------------------------------------------------------------

ADMINS = "Partner Ops admins (workspace admins and owners, and people they added)"
ADMINS_AND_APPROVERS = "Partner Ops admins and approvers"
MANAGE_APPROVERS = "add or remove approvers"
MANAGE_ADMINS = "add or remove admins"
ADD_ADMINS = "add admins"
WORKSPACE_ADMINS = "workspace admins and owners"
SET_CHANNEL = "choose the approvals channel"
SET_POLICY = "change the approval policy"
SEE_AUDIT = "read the audit trail"

# --- approvers and admins -----------------------------------------------------------------

ROLE_NAMES = {"approver": "an approver", "admin": "an admin"}
ROLE_PLURALS = {"approver": "approvers", "admin": "admins"}
ADDED = ":white_check_mark: {subject} is now {role}."
ADDED_GROUP = ":white_check_mark: Everyone in {subject} is now {role}."
ALREADY = ":information_source: {subject} is already {role}. Nothing was changed."
REMOVED = ":white_check_mark: {subject} is no longer {role}."
NOT_ROLE = ":information_source: {subject} was not {role}. Nothing was changed."
NOT_ADDED_ADMIN = (
    ":information_source: {subject} was not added as an admin here. Nothing was changed "
    "(workspace admins and owners are always Partner Ops admins)."
)
APPROVERS_TITLE = "Approvers"
APPROVERS_INTRO = "These people and groups can approve or reject requests:"
APPROVERS_NONE = (
    ":warning: Nobody is an approver yet, so requests cannot be approved until an admin adds "
    "one: `/partner approvers add @someone` (or a @group)."
)
APPROVERS_FALLBACK = "Approvers: {count}"
ADMINS_TITLE = "Admins"
ADMINS_INTRO = "Added as Partner Ops admins:"
ADMINS_NONE = "Nobody has been added as a Partner Ops admin."
ADMINS_ALWAYS = (
    "Workspace admins and owners are always Partner Ops admins. Add others with "
    "`/partner admins add @someone`."
)
ADMINS_FALLBACK = "Admins added: {count}"
GROUP_SUFFIX = " (group)"

# Only real people and existing groups get a role; `{subject}` is the mention (or the id).
NOT_ELIGIBLE = {
    "unknown_user": (
        ":warning: {subject} is not a user of this workspace, so they cannot be given a role. "
        "Nothing was changed."
    ),
    "deactivated": (
        ":warning: {subject} is deactivated: only active people can be given a role. "
        "Nothing was changed."
    ),
    "bot": (
        ":warning: {subject} is a bot or an app: only people can be given a role. "
        "Nothing was changed."
    ),
    "guest": (
        ":warning: {subject} is a guest: only full members of the workspace can be given a "
        "role. Nothing was changed."
    ),
    "unknown_group": (
        ":warning: {subject} is not a user group of this workspace (or it is disabled). "
        "Nothing was changed."
    ),
    "empty_group": (
        ":warning: {subject} has nobody in it: as the requesters group, nobody could make "
        "requests. Add people to it first, or keep `everyone`. Nothing was changed."
    ),
}

# --- approvals channel --------------------------------------------------------------------

CHANNEL_SET = ":white_check_mark: Approval cards will be posted in {channel} from now on."
CHANNEL_ALREADY = ":information_source: {channel} already receives the approval cards."
CHANNEL_NOT_MEMBER = (
    ":warning: I am not a member of this channel, so I could not post approval cards here. "
    "Invite me first with `/invite @Partner Ops` in this channel, then run "
    "`/partner approvals-channel` again. Nothing was changed."
)
CHANNEL_ARCHIVED = (
    ":warning: This channel is archived, so no approval card could be posted here. Run "
    "`/partner approvals-channel` in an active channel. Nothing was changed."
)
CHANNEL_NOT_A_CHANNEL = (
    ":warning: Approval cards go to a channel the approvers share, not a direct message. Run "
    "`/partner approvals-channel` in that channel. Nothing was changed."
)

# --- policy -------------------------------------------------------------------------------

POLICY_TITLE = "Approval policy"
RULES_TITLE = "*What happens to a request*"
RULE_MOVES_NEVER = "Every credit move needs an approver."
RULE_MOVES_NEVER_TWO = "Every credit move needs an approver; moves above {two} need two approvers."
RULE_MOVES_AUTO = "Moves up to {auto} run at once; moves above {auto} need an approver."
RULE_MOVES_AUTO_TWO = (
    "Moves up to {auto} run at once; moves above {auto} need an approver; moves above {two} "
    "need two approvers."
)
RULE_MOVES_AUTO_IS_TWO = "Moves up to {two} run at once; moves above {two} need two approvers."
RULE_CAP = (
    "Each requester may auto-run up to {cap} in 24 hours; beyond that, moves need an approver."
)
RULE_NO_CAP = "There is no daily cap on what a requester may auto-run."
RULE_DELETIONS = "Deletions always need an approver."
RULE_NEW_SUBACCOUNT = (
    "A new subaccount without credit needs no approval; with credit it is a move like any other."
)
RULE_EXPIRY = "Requests expire after {hours} h."
RULE_EVERYONE = "Anyone in the workspace may ask."
RULE_GROUP = "Only members of {group} may ask."
RULE_CHANNEL = "Approval cards go to {channel}."
RULE_NO_CHANNEL = (
    ":warning: No approvals channel yet: run `/partner approvals-channel` in the channel that "
    "should get the cards."
)
RULES_ORDER = (
    "Checked in this order: who may ask, then deletions, then the two-approver amount, then "
    "the auto-approve limit and the daily cap. A move above the two-approver amount never runs "
    "at once."
)
SETTINGS_TITLE = "*Settings*"
ADJUSTED = {
    "auto_approve_limit": (
        ":information_source: The auto-approve limit was lowered from {old} to {new} with it: "
        "a move above the two-approver amount always needs two approvers."
    ),
}
POLICY_CONFLICT = {
    "auto_approve_limit": (
        ":warning: The auto-approve limit cannot be above the two-approver amount ({limit}): "
        "moves above {limit} always need two approvers, so nothing above it could run at once. "
        "Set `/partner policy auto-approve {limit_plain}` or less, or raise `two-approvers` "
        "first. Nothing was changed."
    ),
}
POLICY_FALLBACK = "Approval policy: {summary}"
POLICY_CHANGED = ":white_check_mark: Policy changed: {setting} {old} → {new}."
POLICY_UNCHANGED = ":information_source: {setting} was already {value}. Nothing was changed."
POLICY_HOW_TO_CHANGE = (
    "Admins change a setting with `/partner policy &lt;setting&gt; &lt;value&gt;`: "
    "`auto-approve 50`, "
    "`daily-cap 200|none`, `two-approvers 1000|none`, `expiry 24h`, "
    "`requesters @group|everyone`. A change that loosens money control (a higher limit, no "
    "cap) waits for another approver to confirm it; amounts are capped at 10,000 EUR "
    "(auto-approve) and 100,000 EUR (daily cap)."
)
SETTING_LINE = "*{label}*: {value} — _{meaning}_"
SETTING_LINE_CHANGED = "*{label}*: {old} → *{value}*  _(changed)_ — _{meaning}_"
SETTING_LABELS = {
    "auto_approve_limit": "Auto-approve limit",
    "daily_auto_approve_cap": "Daily auto-approve cap",
    "two_approver_threshold": "Two-approver threshold",
    "expiry_hours": "Expiry",
    "approvals_channel_id": "Approvals channel",
    "requesters_usergroup_id": "Requesters",
}
SETTING_MEANINGS = {
    "auto_approve_limit": (
        "Credit moves up to this amount are carried out without an approver; 0 means never. "
        "It is never above the two-approver amount."
    ),
    "daily_auto_approve_cap": (
        "The most one requester may have auto-approved in a rolling 24 hours; none means no cap."
    ),
    "two_approver_threshold": (
        "Moves above this amount need two different approvers; none means one is always enough."
    ),
    "expiry_hours": "A request nobody decides within this time expires.",
    "approvals_channel_id": "Where approval cards are posted.",
    "requesters_usergroup_id": "Who may ask for credit moves and subaccount changes.",
}
NEVER = "0 (never)"
NO_LIMIT = "none"
HOURS = "{hours} hours"
ONE_HOUR = "1 hour"
CHANNEL_NOT_SET = "not set: run `/partner approvals-channel` in the channel that should get them"
EVERYONE = "everyone in the workspace"
APPROVERS_LINE = (
    "*Approvers*: {count} (a group counts once)\nSee them with `/partner approvers list`."
)
APPROVERS_LINE_NONE = (
    "*Approvers*: none yet\n:warning: Requests cannot be approved until an admin adds one "
    "with `/partner approvers add @someone`."
)

# --- audit --------------------------------------------------------------------------------

AUDIT_TITLE = "Audit trail"
AUDIT_SUMMARY = "{count} entries in the last {days} days, newest first."
AUDIT_SUMMARY_ONE = "1 entry in the last {days} days."
AUDIT_EMPTY = ":information_source: Nothing was recorded in the last {days} days."
AUDIT_FALLBACK = "Audit trail: {count} entries in the last {days} days"
AUDIT_MORE = "… and {count} more — `/partner audit export` for everything."
# No backticks around {at}: a date token inside code is not rendered.
AUDIT_LINE = "{at} · {actor} {action}{request}{details}"
AUDIT_REQUEST = " — request #{id}{product}{amount}"
AUDIT_REQUEST_UNNUMBERED = " — a request{product}{amount}"
AUDIT_SYSTEM = "system"
AUDIT_POLICY = " — {setting}: {old} → {new}"
AUDIT_SUBJECT = " — {subject}"
AUDIT_NOT_SET = "not set"
ACTIONS = {
    "request_created": "made a request",
    "auto_approved": "auto-approved",
    "approval_recorded": "recorded an approval",  # entries written before approval_counted
    "approval_counted": "approved (counted)",
    "approval_not_counted": "clicked Approve (not counted)",
    "approved": "approved",
    "rejected": "rejected",
    "cancelled": "cancelled",
    "expired": "expired",
    "vendor_call_sent": "sent to the vendor",
    "vendor_succeeded": "vendor confirmed success",
    "vendor_failed": "vendor refused",
    "vendor_unknown": "vendor outcome unknown",
    "failed_before_vendor_call": "failed before the vendor call",
    "reconciled_succeeded": "reconciled as succeeded",
    "reconciled_failed": "reconciled as failed",
    "reconciliation_undecided": "reconciliation undecided",
    "execution_abandoned": "execution abandoned",
    "marked_done": "marked done",
    "marked_failed": "marked failed",
    "policy_changed": "changed the policy",
    "approver_added": "added an approver",
    "approver_removed": "removed an approver",
    "admin_added": "added an admin",
    "admin_removed": "removed an admin",
    "no_approval_needed": "ran without approval (no money moved)",
    "partner_key_saved": "saved a Partner API key",
    "cross_workspace_refused": "was refused: the request named another workspace",
    "setting_change_proposed": "asked for a setting change (needs an approver)",
    "setting_change_confirmed": "confirmed a setting change",
    "setting_change_rejected": "rejected a setting change",
    "setting_change_expired": "setting change expired",
}
DETAIL_LABELS = {
    "claimed": "named",
    "user_team": "their workspace",
    "kind": "request",
    "request_action": "what",
    "subaccount": "subaccount",
    "reason": "reason",
    "note": "note",
    "limit": "limit",
    "approvers": "approvals",
    "main_after": "main balance after",
    "subaccount_after": "subaccount balance after",
    "token": "new subaccount token",
    "fingerprint": "key",
    "replaced": "replaced",
    "why": "why",
    "change": "setting change",
    "asked_by": "asked by",
    "setting": "setting",
    "old": "was",
    "new": "new",
}

# --- export -------------------------------------------------------------------------------

EXPORT_TITLE = "Partner Ops audit, last {days} days"
EXPORT_COMMENT = "The audit trail of the last {days} days: {count} entries, times in UTC."
EXPORT_SENT = (
    ":white_check_mark: I sent you the audit trail of the last {days} days ({count} entries) "
    "as a CSV file by direct message."
)
EXPORT_SENT_ONE = (
    ":white_check_mark: I sent you the audit trail of the last {days} days (1 entry) as a CSV "
    "file by direct message."
)
EXPORT_EMPTY = ":information_source: Nothing was recorded in the last {days} days: no file to send."
