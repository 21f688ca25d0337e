"""The admin commands: `approvers`, `admins`, `approvals-channel`, `policy`, `audit`.

Every answer is ephemeral to the asker. Who may: listing roles and showing the policy is for
everyone; reading the audit trail is for admins and approvers; every change is for admins
(workspace admins and owners, plus users an admin added), except adding admins, which only
workspace admins and owners may do. A change that loosens money control waits for an
approver's confirmation (bot.slack.admin.change_listeners); the services audit every change.
"""

from __future__ import annotations

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.services.errors import NotAllowed
from bot.services.roles import Role, Subject, checked_subject
from bot.services.settings_changes import Change, Setting
from bot.slack.admin import texts as text
from bot.slack.admin.audit_export import export_audit
from bot.slack.admin.audit_views import audit_reply
from bot.slack.admin.change_listeners import gated
from bot.slack.admin.parsing import (
    ExportAudit,
    ManageRole,
    SetApprovalsChannel,
    SetPolicy,
    ShowAudit,
    ShowPolicy,
)
from bot.slack.admin.views import (
    channel_set_reply,
    policy_reply,
    role_changed_reply,
    role_list_reply,
)
from bot.slack.context import Services, SlashCommand
from bot.slack.directory import SlackDirectory
from bot.slack.replies import reply
from bot.slack.views.reply import Reply, plain_reply

_ROLES = {"approver": Role.APPROVER, "admin": Role.ADMIN}


async def _require_admin(call: SlashCommand, action: str) -> None:
    if not await call.services.roles.is_admin(call.team_id, call.user_id, call.directory):
        raise NotAllowed(action, text.ADMINS)


async def manage_role(parsed: ManageRole, call: SlashCommand) -> None:
    services, team_id, user_id = call.services, call.team_id, call.user_id
    directory = call.directory
    if parsed.verb == "list":
        subjects = await services.roles.members(team_id, _ROLES[parsed.role])
        await reply(call.respond, role_list_reply(parsed.role, subjects))
        return
    role, verb, subject = parsed.role, parsed.verb, parsed.subject
    assert subject is not None, "the parser gives a subject to add and remove"
    await _require_admin(call, text.MANAGE_APPROVERS if role == "approver" else text.MANAGE_ADMINS)
    if role == "admin" and verb == "add" and not await directory.is_workspace_admin(user_id):
        # An added admin making more admins would need nobody's consent but their own.
        raise NotAllowed(text.ADD_ADMINS, text.WORKSPACE_ADMINS)
    answer = await _change_role(
        services, call.client, team_id, user_id, directory, role, verb, subject
    )
    await reply(call.respond, answer)


async def set_approvals_channel(_parsed: SetApprovalsChannel, call: SlashCommand) -> None:
    await _require_admin(call, text.SET_CHANNEL)
    await _set_approvals_channel(call)


async def policy(parsed: ShowPolicy | SetPolicy, call: SlashCommand) -> None:
    services, team_id, user_id = call.services, call.team_id, call.user_id
    directory = call.directory
    if isinstance(parsed, ShowPolicy):
        current = await services.policies.get(team_id)
        approvers = await services.roles.members(team_id, Role.APPROVER)
        await reply(call.respond, policy_reply(current, len(approvers)))
        return
    field, value = parsed.field, parsed.value
    await _require_admin(call, text.SET_POLICY)
    changes: dict[str, object] = {field: value}
    if field == "requesters_usergroup_id":
        group = (
            await checked_subject(value, directory, empty_group_ok=False)
            if isinstance(value, Subject)
            else None
        )
        changes = {
            field: group.id if group else None,
            "requesters_usergroup_label": group.label if group else None,
        }
    before = await services.policies.get(team_id)

    async def apply_policy() -> Reply:
        change = await services.policies.change_checked(team_id, user_id, **changes)
        approvers = await services.roles.members(team_id, Role.APPROVER)
        return policy_reply(
            change.after,
            len(approvers),
            changed=field,
            before=change.before,
            adjustments=change.adjustments,
        )

    asked = Change(
        Setting(field),
        getattr(before, field),
        changes[field],
        label=changes.get("requesters_usergroup_label"),  # type: ignore[arg-type]
    )
    await reply(
        call.respond,
        await gated(services, call.client, team_id, user_id, asked, directory, apply_policy),
    )


async def audit_trail(parsed: ShowAudit | ExportAudit, call: SlashCommand) -> None:
    await call.services.roles.require_manager(
        call.team_id, call.user_id, call.directory, str(text.SEE_AUDIT)
    )
    if isinstance(parsed, ExportAudit):
        await export_audit(call, parsed.days)
        return
    entries = await call.services.audit.recent(call.team_id, parsed.days)
    await reply(call.respond, audit_reply(entries, parsed.days))


async def _set_approvals_channel(call: SlashCommand) -> None:
    """The channel the command was typed in, once we know the bot can post there."""
    services, client, respond = call.services, call.client, call.respond
    team_id, user_id, channel_id = call.team_id, call.user_id, call.channel_id
    try:
        channel = (await client.conversations_info(channel=channel_id)).get("channel") or {}
    except SlackApiError as error:
        # A private channel the bot is not in is invisible to it: Slack says "not found".
        if error.response.get("error") != "channel_not_found":
            raise
        await reply(respond, plain_reply(text.CHANNEL_NOT_MEMBER))
        return
    if channel.get("is_im") or channel.get("is_mpim"):
        await reply(respond, plain_reply(text.CHANNEL_NOT_A_CHANNEL))
        return
    if channel.get("is_archived"):
        await reply(respond, plain_reply(text.CHANNEL_ARCHIVED))
        return
    if not channel.get("is_member"):
        await reply(respond, plain_reply(text.CHANNEL_NOT_MEMBER))
        return
    before = await services.policies.get(team_id)
    if before.approvals_channel_id == channel_id:
        await reply(respond, channel_set_reply(channel_id, False))
        return

    async def apply_channel() -> Reply:
        await services.policies.change(team_id, user_id, approvals_channel_id=channel_id)
        return channel_set_reply(channel_id, True)

    asked = Change(Setting.APPROVALS_CHANNEL, before.approvals_channel_id, channel_id)
    await reply(
        respond,
        await gated(services, client, team_id, user_id, asked, call.directory, apply_channel),
    )


async def _change_role(
    services: Services,
    client: AsyncWebClient,
    team_id: str,
    user_id: str,
    directory: SlackDirectory,
    role: str,
    verb: str,
    subject: Subject,
) -> Reply:
    """Add or remove a role, at once or (adding an admin, removing an approver) after an
    approver's confirmation."""
    granted = await services.roles.members(team_id, _ROLES[role])
    if verb == "add":
        subject = await checked_subject(subject, directory)
    else:
        # Anyone can be removed, even somebody Slack no longer knows.
        subject = next((s for s in granted if s == subject), subject)
    had = subject in granted
    if had == (verb == "add"):
        return role_changed_reply(role, verb, subject, False)

    async def apply_role() -> Reply:
        if verb == "add":
            changed = await services.roles.grant(team_id, _ROLES[role], subject, user_id)
        else:
            changed = await services.roles.revoke(team_id, _ROLES[role], subject, user_id)
        return role_changed_reply(role, verb, subject, changed)

    asked = Change(
        Setting(role),
        had,
        not had,
        subject=f"{subject.kind.value}:{subject.id}",
        label=subject.label,
    )
    return await gated(services, client, team_id, user_id, asked, directory, apply_role)
