"""Writing a setting change: the policy, a role or a Partner key, inside the transaction
that confirms it (or applies it at once)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import SettingChange
from bot.partner.models import Product
from bot.services.partner_keys import PartnerKeys
from bot.services.policy import change_policy_in
from bot.services.roles import Role, Roles
from bot.services.settings_changes.model import Setting, subject_of, typed_value
from bot.services.subaccount_controls import write_change


async def apply_change(
    session: AsyncSession, row: SettingChange, roles: Roles, keys: PartnerKeys
) -> None:
    """A confirmed (or at-once) change written in the caller's transaction."""
    setting, actor = Setting(row.setting), row.requested_by
    new = typed_value(setting, row.new_value)
    if setting.is_policy:
        await change_policy_in(session, row.team_id, actor, **{setting.value: new})
    elif setting is Setting.ADMIN:
        subject = subject_of(row.subject)
        if new:
            await roles.grant(row.team_id, Role.ADMIN, subject, actor, session=session)
        else:
            await roles.revoke(row.team_id, Role.ADMIN, subject, actor, session=session)
    elif setting is Setting.APPROVER:
        subject = subject_of(row.subject)
        if new:
            await roles.grant(row.team_id, Role.APPROVER, subject, actor, session=session)
        else:
            await roles.revoke(row.team_id, Role.APPROVER, subject, actor, session=session)
    elif setting in (Setting.SUBACCOUNT_FROZEN, Setting.SUBACCOUNT_CAP):
        assert row.subject is not None
        subject, _, email = row.subject.partition("|")
        await write_change(
            session,
            row.team_id,
            subject,
            email,
            unfrozen=setting is Setting.SUBACCOUNT_FROZEN and not new,
            cap=new if setting is Setting.SUBACCOUNT_CAP else None,  # type: ignore[arg-type]
            actor=actor,
        )
    elif setting is Setting.PARTNER_KEY:
        assert row.subject is not None and row.encrypted_secret is not None
        raw = keys.unseal(row.encrypted_secret)
        await keys.save_in(session, row.team_id, {Product(row.subject): raw}, actor)
    # The key is no longer needed here once saved (or once the change is decided).
    row.encrypted_secret = None
