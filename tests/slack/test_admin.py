"""`/partner approvers|admins|approvals-channel|policy|audit`, over signed HTTP."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from bot.clock import utcnow
from bot.db.models import AuditEntry
from bot.partner.models import Product
from bot.services import audit
from bot.services.policy import Policy, change_policy, get_policy
from bot.services.roles import Role, Subject, SubjectKind
from bot.slack.texts import help as help_text
from devkit.sandbox import DEMO_MAIL_KEY, DEMO_SMS_KEY, DEMO_VOICE_KEY
from tests.slack.block_kit import violations
from tests.slack.harness import ADMIN, CHANNEL, MEMBER, Harness, reply_text

APPROVER = "UAPPROVER"
FINANCE = "S1"
MEMBER_MENTION = f"<@{MEMBER}|max>"
APPROVER_MENTION = f"<@{APPROVER}|appy>"
FINANCE_MENTION = f"<!subteam^{FINANCE}|@finance>"


@pytest.fixture(autouse=True)
def people(fake_slack) -> None:
    fake_slack.add_user("T0TEST", APPROVER, "appy", real_name="Appy Approver")
    fake_slack.add_usergroup("T0TEST", FINANCE, "finance", [APPROVER])


async def audit_entries(slack: Harness) -> list[audit.AuditRecord]:
    return await audit.recent(slack.runtime.database, slack.team_id, 1)


async def members(slack: Harness, role: Role) -> list[Subject]:
    return await slack.runtime.roles.members(slack.team_id, role)


# --- who may ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        f"approvers add {MEMBER_MENTION}",
        f"approvers add {FINANCE_MENTION}",
        f"approvers remove {APPROVER_MENTION}",
        f"admins add {MEMBER_MENTION}",
        f"admins remove {APPROVER_MENTION}",
        "approvals-channel",
        "policy auto-approve 50",
        "policy daily-cap 200",
        "policy two-approvers 1000",
        "policy expiry 48h",
        f"policy requesters {FINANCE_MENTION}",
    ],
)
async def test_members_may_not_change_anything(slack: Harness, command: str) -> None:
    await slack.runtime.roles.grant(
        slack.team_id, Role.APPROVER, Subject(SubjectKind.USER, APPROVER), ADMIN
    )
    before = await audit_entries(slack)
    post = await slack.ask(command, user=MEMBER)
    assert post.body["response_type"] == "ephemeral"
    assert "Only Partner Ops admins" in reply_text(post)
    assert await get_policy(slack.runtime.database, slack.team_id) == Policy()
    assert await members(slack, Role.APPROVER) == [Subject(SubjectKind.USER, APPROVER)]
    assert await members(slack, Role.ADMIN) == []
    assert [e.id for e in await audit_entries(slack)] == [e.id for e in before]


async def test_an_approver_may_not_change_anything_either(slack: Harness) -> None:
    await slack.runtime.roles.grant(
        slack.team_id, Role.APPROVER, Subject(SubjectKind.USERGROUP, FINANCE), ADMIN
    )
    text = reply_text(await slack.ask("policy auto-approve 50", user=APPROVER))
    assert "Only Partner Ops admins" in text
    assert await get_policy(slack.runtime.database, slack.team_id) == Policy()


@pytest.mark.parametrize("command", ["audit", "audit export"])
async def test_members_may_not_read_the_audit(slack: Harness, command: str) -> None:
    await change_policy(slack.runtime.database, slack.team_id, ADMIN, expiry_hours=12)
    text = reply_text(await slack.ask(command, user=MEMBER))
    assert "Only Partner Ops admins and approvers" in text
    assert "expiry" not in text.lower()
    assert slack.fake.files == []
    assert slack.fake.calls_to("files.getUploadURLExternal") == []


async def test_everyone_may_list_roles_and_read_the_policy(slack: Harness) -> None:
    assert "Nobody is an approver yet" in reply_text(await slack.ask("approvers list"))
    assert "Workspace admins and owners are always" in reply_text(await slack.ask("admins"))
    assert "Approval policy" in reply_text(await slack.ask("policy"))


# --- approvers and admins -----------------------------------------------------------------


async def test_admin_manages_approvers_users_and_groups(slack: Harness) -> None:
    empty = reply_text(await slack.ask("approvers list", user=ADMIN))
    assert "requests cannot be approved until an admin adds one" in empty

    added = reply_text(await slack.ask(f"approvers add {MEMBER_MENTION}", user=ADMIN))
    assert f"<@{MEMBER}> is now an approver" in added
    group = reply_text(await slack.ask(f"approvers add {FINANCE_MENTION}", user=ADMIN))
    assert f"Everyone in <!subteam^{FINANCE}|@finance> is now an approver" in group
    again = reply_text(await slack.ask(f"approvers add {MEMBER_MENTION}", user=ADMIN))
    assert "already an approver" in again

    assert await members(slack, Role.APPROVER) == [
        Subject(SubjectKind.USER, MEMBER),
        Subject(SubjectKind.USERGROUP, FINANCE),
    ]
    listed = await slack.ask("approvers list", user=MEMBER)
    assert listed.body["response_type"] == "ephemeral"
    text = reply_text(listed)
    assert f"<@{MEMBER}>" in text and f"<!subteam^{FINANCE}|@finance>" in text
    assert "Nobody" not in text
    assert "<!channel>" not in text and "<!here>" not in text

    removed = reply_text(await slack.ask(f"approvers remove {MEMBER_MENTION}", user=ADMIN))
    assert f"<@{MEMBER}> is no longer an approver" in removed
    not_one = reply_text(await slack.ask(f"approvers remove {MEMBER_MENTION}", user=ADMIN))
    assert "was not an approver" in not_one
    assert await members(slack, Role.APPROVER) == [Subject(SubjectKind.USERGROUP, FINANCE)]

    actions = [(e.action, e.actor_id, e.details) for e in await audit_entries(slack)]
    assert actions == [  # newest first; the no-op add and remove left no trace
        ("approver_removed", ADMIN, {"subject": f"user:{MEMBER}"}),
        ("approver_added", ADMIN, {"subject": f"usergroup:{FINANCE}", "label": "finance"}),
        ("approver_added", ADMIN, {"subject": f"user:{MEMBER}"}),
    ]


async def test_admin_adds_an_admin_who_then_sets_the_policy(slack: Harness) -> None:
    refused = reply_text(await slack.ask("policy expiry 12h", user=MEMBER))
    assert "Only Partner Ops admins" in refused

    added = reply_text(await slack.ask(f"admins add {MEMBER_MENTION}", user=ADMIN))
    assert f"<@{MEMBER}> is now an admin" in added
    listed = reply_text(await slack.ask("admins list", user=APPROVER))
    assert f"<@{MEMBER}>" in listed and "Workspace admins and owners are always" in listed

    changed = reply_text(await slack.ask("policy expiry 12h", user=MEMBER))
    assert "24 hours → 12 hours" in changed
    assert (await get_policy(slack.runtime.database, slack.team_id)).expiry_hours == 12

    # An added admin may not add admins (only workspace admins and owners may); they may
    # remove added ones (that tightens).
    refused = reply_text(await slack.ask(f"admins add {APPROVER_MENTION}", user=MEMBER))
    assert "Only workspace admins and owners can add admins" in refused
    assert await members(slack, Role.ADMIN) == [Subject(SubjectKind.USER, MEMBER)]
    await slack.ask(f"admins add {APPROVER_MENTION}", user=ADMIN)
    removed = reply_text(await slack.ask(f"admins remove {APPROVER_MENTION}", user=MEMBER))
    assert f"<@{APPROVER}> is no longer an admin" in removed
    workspace_admin = reply_text(await slack.ask(f"admins remove <@{ADMIN}|ada>", user=MEMBER))
    assert "was not added as an admin" in workspace_admin

    await slack.ask(f"admins remove {MEMBER_MENTION}", user=ADMIN)
    assert await members(slack, Role.ADMIN) == []
    again = reply_text(await slack.ask("policy expiry 6h", user=MEMBER))
    assert "Only Partner Ops admins" in again
    assert (await get_policy(slack.runtime.database, slack.team_id)).expiry_hours == 12
    assert [e.action for e in await audit_entries(slack)] == [
        "admin_removed",
        "admin_removed",
        "admin_added",
        "policy_changed",
        "admin_added",
    ]


async def test_admins_are_users_only(slack: Harness) -> None:
    text = reply_text(await slack.ask(f"admins add {FINANCE_MENTION}", user=ADMIN))
    assert help_text.ADMINS_USAGE.split(",")[0] in text
    assert await members(slack, Role.ADMIN) == []


# --- approvals channel --------------------------------------------------------------------


async def test_approvals_channel_needs_the_bot_in_it(slack: Harness) -> None:
    slack.fake.add_channel(slack.team_id, "C0RANDOM", "random", bot_is_member=False)
    outside = reply_text(await slack.ask("approvals-channel", user=ADMIN, channel_id="C0RANDOM"))
    assert "/invite @Partner Ops" in outside and "Nothing was changed" in outside
    assert (await get_policy(slack.runtime.database, slack.team_id)).approvals_channel_id is None

    slack.fake.add_channel(slack.team_id, "C0OLD", "old", is_archived=True)
    archived = reply_text(await slack.ask("approvals-channel", user=ADMIN, channel_id="C0OLD"))
    assert "archived" in archived
    assert await audit_entries(slack) == []

    done = reply_text(await slack.ask("approvals-channel", user=ADMIN, channel_id=CHANNEL))
    assert f"<#{CHANNEL}>" in done
    policy = await get_policy(slack.runtime.database, slack.team_id)
    assert policy.approvals_channel_id == CHANNEL
    [entry] = await audit_entries(slack)
    assert entry.action == "policy_changed" and entry.actor_id == ADMIN
    assert entry.details == {"setting": "approvals_channel_id", "old": "none", "new": CHANNEL}
    assert f"<#{CHANNEL}>" in reply_text(await slack.ask("policy"))
    again = reply_text(await slack.ask("approvals-channel", user=ADMIN, channel_id=CHANNEL))
    assert "already receives" in again
    assert len(await audit_entries(slack)) == 1
    checked = [c.args.get("channel") for c in slack.fake.calls_to("conversations.info")]
    assert checked == ["C0RANDOM", "C0OLD", CHANNEL, CHANNEL]


async def test_approvals_channel_is_refused_in_a_direct_message(slack: Harness) -> None:
    # conversations.info on a DM needs im:read (missing_scope without it).
    dm = slack.fake.open_dm(slack.team_id, ADMIN).id
    in_dm = reply_text(await slack.ask("approvals-channel", user=ADMIN, channel_id=dm))
    assert "not a direct message" in in_dm and "Nothing was changed" in in_dm
    assert (await get_policy(slack.runtime.database, slack.team_id)).approvals_channel_id is None


# --- policy -------------------------------------------------------------------------------


async def test_policy_shows_every_setting_and_its_meaning(slack: Harness) -> None:
    text = reply_text(await slack.ask("policy"))
    for expected in (
        "Auto-approve limit",
        "0 (never)",
        "Daily auto-approve cap",
        "rolling 24 hours",
        "Two-approver threshold",
        "Expiry",
        "24 hours",
        "Approvals channel",
        "not set: run `/partner approvals-channel`",
        "Requesters",
        "everyone",
        "Approvers",
        "none yet",
    ):
        assert expected in text, expected


@pytest.mark.parametrize(
    ("command", "field", "stored", "shown"),
    [
        ("auto-approve 50", "auto_approve_limit", Decimal("50"), "0 (never) → *€50.00*"),
        # "12,345" alone is ambiguous (12345 or 12.345?): with a thousands group it is not.
        ("auto-approve 1 012,345", "auto_approve_limit", Decimal("1012.345"), "*€1,012.345*"),
        ("daily-cap 200", "daily_auto_approve_cap", Decimal("200"), "none → *€200.00*"),
        ("two-approvers 1000", "two_approver_threshold", Decimal("1000"), "*€1,000.00*"),
        ("expiry 48h", "expiry_hours", 48, "24 hours → *48 hours*"),
        (
            f"requesters {FINANCE_MENTION}",
            "requesters_usergroup_id",
            FINANCE,
            "<!subteam^S1|@finance>",
        ),
    ],
)
async def test_admin_sets_each_setting(
    slack: Harness, command: str, field: str, stored: object, shown: str
) -> None:
    post = await slack.ask(f"policy {command}", user=ADMIN)
    assert post.body["response_type"] == "ephemeral"
    text = reply_text(post)
    assert "Policy changed" in text and shown in text and "(changed)" in text
    value = getattr(await get_policy(slack.runtime.database, slack.team_id), field)
    assert value == stored and type(value) is type(stored)
    [entry] = await audit_entries(slack)
    assert entry.action == "policy_changed" and entry.details["setting"] == field


async def test_settings_go_back_to_none_and_everyone(slack: Harness) -> None:
    database = slack.runtime.database
    for command in ("daily-cap 200", "two-approvers 1000", f"requesters {FINANCE_MENTION}"):
        await slack.ask(f"policy {command}", user=ADMIN)
    text = reply_text(await slack.ask("policy daily-cap none", user=ADMIN))
    assert "€200.00 → *none*" in text
    await slack.ask("policy two-approvers off", user=ADMIN)
    text = reply_text(await slack.ask("policy requesters everyone", user=ADMIN))
    assert "<!subteam^S1|@finance> → everyone" in text
    policy = await get_policy(database, slack.team_id)
    assert policy.daily_auto_approve_cap is None
    assert policy.two_approver_threshold is None
    assert policy.requesters_usergroup_id is None

    same = reply_text(await slack.ask("policy requesters everyone", user=ADMIN))
    assert "already" in same and "Nothing was changed" in same
    assert len(await audit_entries(slack)) == 6


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("policy auto-approve lots", "is not an amount"),
        ("policy daily-cap -5", "must be greater than 0"),
        ("policy two-approvers 1,5.0", "where no amount has them"),
        ("policy expiry 0h", str(help_text.POLICY_EXPIRY).format(most=336)),
        ("policy expiry 1000", str(help_text.POLICY_EXPIRY).format(most=336)),
        (f"policy requesters {MEMBER_MENTION}", help_text.POLICY_REQUESTERS),
        ("policy colour blue", "`daily-cap 200|none`"),
        ("policy auto-approve", "`daily-cap 200|none`"),
    ],
)
async def test_bad_policy_input_gets_the_parsers_message(
    slack: Harness, command: str, expected: str
) -> None:
    text = reply_text(await slack.ask(command, user=ADMIN))
    assert str(expected) in text  # a catalog text (help_texts) is lazy: worded now
    assert await get_policy(slack.runtime.database, slack.team_id) == Policy()
    assert await audit_entries(slack) == []


# --- audit --------------------------------------------------------------------------------


async def test_audit_shows_what_happened_to_admins_and_approvers(slack: Harness) -> None:
    await slack.ask(f"approvers add {FINANCE_MENTION}", user=ADMIN)
    await slack.ask("policy auto-approve 50", user=ADMIN)
    await slack.ask("approvals-channel", user=ADMIN)
    await slack.runtime.keys.save(slack.team_id, {Product.SMS: DEMO_SMS_KEY}, ADMIN)

    post = await slack.ask("audit", user=ADMIN)
    assert post.body["response_type"] == "ephemeral"
    text = reply_text(post)
    assert "4 entries in the last 7 days" in text
    lines = [
        line
        for t in _section_texts(post.body["blocks"])
        for line in t.split("\n")
        if AUDIT_AT.match(line)
    ]
    assert len(lines) == 4
    assert "saved a Partner API key" in lines[0] and "…2e7b" in lines[0]
    assert f"<@{ADMIN}> changed the policy — Approvals channel" in lines[1]
    assert f"<#{CHANNEL}>" in lines[1]
    assert "Auto-approve limit: 0 (never) → €50.00" in lines[2]
    assert f"added an approver — <!subteam^{FINANCE}|@finance>" in lines[3]
    assert "more —" not in text
    assert DEMO_SMS_KEY not in text

    # The group's members are approvers, so they may read it too; nobody else may.
    assert "4 entries" in reply_text(await slack.ask("audit 30", user=APPROVER))
    assert "Only Partner Ops admins and approvers" in reply_text(await slack.ask("audit"))


async def test_audit_of_request_entries_shows_request_product_and_amount(slack: Harness) -> None:
    async with slack.runtime.database.session() as session:
        await audit.record(
            session,
            slack.team_id,
            "request_created",
            MEMBER,
            request_id=7,
            product="sms",
            amount=Decimal("12.5"),
            subaccount="client@example.com",
            reason="<!channel> top-up & more",
        )
        await audit.record(session, slack.team_id, "vendor_succeeded", audit.SYSTEM, request_id=7)
        # What a later version records, read by this one: `record` refuses an action it does
        # not know, so the row goes in as that version would have written it.
        session.add(
            AuditEntry(
                team_id=slack.team_id,
                at=utcnow(),
                actor_id=None,
                action="something_new",
                details={"api_key": "sekrit"},
            )
        )
    text = reply_text(await slack.ask("audit 1", user=ADMIN))
    # No request 7 is on record: the entry names none rather than an internal id.
    assert "a request · SMS Partner · €12.50" in text and "#7" not in text
    assert f"<@{MEMBER}> made a request" in text
    assert "&lt;!channel&gt; top-up &amp; more" in text and "<!channel>" not in text
    assert "system vendor confirmed success" in text
    assert "`something_new`" in text and "sekrit" not in text


async def test_empty_audit_says_so(slack: Harness) -> None:
    text = reply_text(await slack.ask("audit", user=ADMIN))
    assert "Nothing was recorded in the last 7 days" in text
    export = reply_text(await slack.ask("audit export", user=ADMIN))
    assert "no file to send" in export and slack.fake.files == []


async def test_a_long_audit_fits_block_kit_and_says_more(slack: Harness) -> None:
    database = slack.runtime.database
    for n in range(120):
        await change_policy(database, slack.team_id, ADMIN, expiry_hours=2 + n % 2)
    entries = await audit_entries(slack)
    assert len(entries) == 120
    post = await slack.ask("audit", user=ADMIN)
    blocks = post.body["blocks"]
    assert violations(blocks) == []
    assert len(blocks) <= 50
    assert all(len((b.get("text") or {}).get("text", "")) <= 3000 for b in blocks)
    text = reply_text(post)
    shown = sum(len(AUDIT_AT.findall(t)) for t in _section_texts(blocks))
    assert 0 < shown < len(entries)
    assert f"and {len(entries) - shown} more — `/partner audit export` for everything" in text


AUDIT_AT = re.compile(r"^(?:today|yesterday|\w+day \d+ \w+) at \d\d:\d\d · ", re.M)
"""An audit line's time, in its reader's zone (bot.i18n.times.when)."""


def _section_texts(blocks: list[dict]) -> list[str]:
    return [b["text"]["text"] for b in blocks if b["type"] == "section"]


async def test_audit_export_sends_the_csv_by_direct_message(slack: Harness) -> None:
    await slack.ask(f"approvers add {FINANCE_MENTION}", user=ADMIN)
    await slack.ask("policy two-approvers 1000", user=ADMIN)
    for product, key in ((Product.MAIL, DEMO_MAIL_KEY), (Product.VOICE, DEMO_VOICE_KEY)):
        await slack.runtime.keys.save(slack.team_id, {product: key}, ADMIN)

    post = await slack.ask("audit export 30", user=APPROVER)
    assert post.body["response_type"] == "ephemeral"
    assert "4 entries" in reply_text(post) and "direct message" in reply_text(post)

    [opened] = slack.fake.calls_to("conversations.open")
    assert opened.args["users"] == APPROVER
    [sent] = slack.fake.files
    assert sent.channel_id == f"D{APPROVER}"
    assert sent.filename.startswith(f"partner-ops-audit-{slack.team_id}-")
    assert sent.filename.endswith(".csv") and len(sent.filename) == len(
        f"partner-ops-audit-{slack.team_id}-20261123.csv"
    )
    assert sent.title and "30 days" in sent.title
    assert sent.initial_comment and "4 entries" in sent.initial_comment

    content = sent.content.decode()
    rows = list(csv.DictReader(io.StringIO(content)))
    async with slack.runtime.database.session() as session:
        table = list(
            (
                await session.scalars(
                    select(AuditEntry)
                    .where(AuditEntry.team_id == slack.team_id)
                    .order_by(AuditEntry.at, AuditEntry.id)
                )
            ).all()
        )
    # In the table's order, numbered by the export alone (no id shared across workspaces).
    assert [int(r["line"]) for r in rows] == list(range(1, len(table) + 1))
    assert [r["action"] for r in rows] == [e.action for e in table]
    assert [r["action"] for r in rows] == [
        "approver_added",
        "policy_changed",
        "partner_key_saved",
        "partner_key_saved",
    ]
    assert [r["actor"] for r in rows] == [ADMIN] * 4
    assert rows[1]["details"] == "new=1000.000; old=none; setting=two_approver_threshold"
    for row, entry in zip(rows, table, strict=True):
        assert row["at_utc"] == entry.at.strftime("%Y-%m-%d %H:%M:%S")
    assert not [s for s in slack.secrets() if s in content]
    assert DEMO_MAIL_KEY not in content and DEMO_VOICE_KEY not in content


async def test_members_of_no_role_get_no_export(slack: Harness) -> None:
    await change_policy(slack.runtime.database, slack.team_id, ADMIN, expiry_hours=2)
    text = reply_text(await slack.ask("audit export", user=MEMBER))
    assert "Only Partner Ops admins and approvers" in text
    assert slack.fake.calls_to("conversations.open") == []
