"""The one place where a refusal or failure becomes the message a user reads.

Listeners raise (or let through) domain errors; `user_message` words them. Anything it does
not know is a bug: logged with a reference, and the user gets that reference, never a trace.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from bot.i18n import _, ngettext
from bot.i18n.formatting import number
from bot.money import InvalidAmount, format_money
from bot.partner.errors import PartnerError, PartnerOutcomeUnknown, PartnerUnavailable
from bot.services.errors import (
    Ambiguous,
    DatabaseUnavailable,
    NotAllowed,
    NotConfigured,
    NotFound,
)
from bot.services.four_eyes import SETTLING_TIME, AppointedByAsker
from bot.services.partner_access import NoSubaccounts
from bot.services.policy import PolicyConflict, PolicyOutOfBounds
from bot.services.requests import ApprovalsNotSetUp, NotARequester, OwnRequest, RequestRefused
from bot.services.roles import Ineligible, NotEligible, SubjectKind
from bot.services.settings_changes import NobodyToConfirm, OwnChange
from bot.slack.admin import change_texts as changes_text
from bot.slack.admin import texts as admin_text
from bot.slack.admin.views import user_mention
from bot.slack.blocks import escape
from bot.slack.commands import CommandError
from bot.slack.membership import NotAMember
from bot.slack.mentions import group_mention, subject_mention
from bot.slack.minted import Garbled
from bot.slack.requests import texts as requests_text
from bot.slack.texts import common as text

log = logging.getLogger(__name__)


def user_message(error: BaseException) -> str | None:
    """The message for an expected error, mrkdwn-safe, in the current language (bot.i18n);
    None when the error is a bug. Services word their refusals in English marked `N_`
    (kept for the logs): they are translated here, when shown."""
    match error:
        case CommandError() | NotAMember():
            return _(str(error.message))
        case NotConfigured(products=(product,)):
            return text.NOT_CONFIGURED_ONE.format(product=product.label)
        case NotConfigured():
            return str(text.NOT_CONFIGURED_ANY)
        case NotFound():
            message = text.NOT_FOUND.format(what=_(str(error.what)), ref=_code(error.ref))
            if error.suggestions:
                shown = ", ".join(f"`{_code(s)}`" for s in error.suggestions)
                message += text.NOT_FOUND_SUGGEST.format(suggestions=shown)
            return message
        case Ambiguous():
            shown = ", ".join(f"`{_code(m)}`" for m in error.matches[:5])
            if len(error.matches) > 5:
                more = len(error.matches) - 5
                shown += ngettext(" and {count} more", " and {count} more", more).format(
                    count=number(more)
                )
            return text.AMBIGUOUS.format(
                ref=_code(error.ref), what=_(str(error.what)), matches=shown
            )
        case NotARequester():
            group = group_mention(error.group_id, error.group_label)
            message = requests_text.NOT_A_REQUESTER.format(group=group)
            if error.locked_out:
                message += requests_text.LOCKED_OUT.format(group=group)
            return message
        case OwnRequest():
            return requests_text.OWN_REQUEST.format(id=error.request.number)
        case NotEligible():
            unknown = error.why in (Ineligible.UNKNOWN_USER, Ineligible.UNKNOWN_GROUP)
            subject = error.subject
            shown = (
                f"`{_code('@' + subject.label if subject.label else subject.id)}`"
                if unknown and subject.kind is SubjectKind.USERGROUP
                else f"`{_code(subject.id)}`"
                if unknown
                else subject_mention(subject)
            )
            return admin_text.NOT_ELIGIBLE[error.why.value].format(subject=shown)
        case PolicyConflict():
            return admin_text.POLICY_CONFLICT[error.field].format(
                limit=format_money(error.limit), limit_plain=f"{error.limit.normalize():f}"
            )
        case PolicyOutOfBounds():
            return changes_text.AMOUNT_TOO_HIGH.format(
                setting=str(admin_text.SETTING_LABELS[error.field]).lower(),
                bound=format_money(error.bound),
            )
        case NobodyToConfirm():
            return str(changes_text.NOBODY_TO_CONFIRM[error.missing])
        case OwnChange():
            return str(changes_text.OWN_CHANGE)
        case AppointedByAsker():
            # The rule is said where it bites: who appointed them, and for how long it holds.
            texts = (
                changes_text.APPOINTED_BY_ASKER
                if error.change
                else requests_text.APPOINTED_BY_REQUESTER
            )
            return texts.format(
                id=error.number,
                asker=user_mention(error.asker_id),
                hours=number(SETTLING_TIME // timedelta(hours=1)),
            )
        case NotAllowed():
            # A marked constant (`_l`) renders itself; a service's `N_` English is looked up.
            return text.NOT_ALLOWED.format(
                who_may=_(str(error.who_may)), action=_(str(error.action))
            )
        case NoSubaccounts():
            return text.NO_SUBACCOUNTS.format(product=error.product.label)
        case PartnerError():
            vendor = ""
            if error.vendor_message:
                vendor = text.VENDOR_SAID.format(
                    message=escape(error.vendor_message), code=error.code
                )
            return text.VENDOR_REFUSED.format(
                product=error.product.label, explanation=_(error.explanation), vendor=vendor
            )
        case PartnerOutcomeUnknown():
            return text.VENDOR_OUTCOME_UNKNOWN.format(
                product=error.product.label, detail=escape(error.detail)
            )
        case PartnerUnavailable():
            return text.VENDOR_UNAVAILABLE.format(
                product=error.product.label, detail=escape(error.detail)
            )
        case RequestRefused():
            return text.REQUEST_REFUSED.format(message=escape(error.message))
        case ApprovalsNotSetUp():
            return str(requests_text.NOT_SET_UP[error.missing])
        case DatabaseUnavailable():
            return str(text.DATABASE_UNAVAILABLE)
        case DBAPIError() if _database_unreachable(error):
            return str(text.DATABASE_UNAVAILABLE)
        case InvalidAmount():
            return text.INVALID_AMOUNT.format(message=escape(str(error)))
        case Garbled():
            return str(text.GARBLED)
    return None


def message_for(error: BaseException) -> str:
    """`user_message`, or for a bug: log it with a reference and return the bug message."""
    message = user_message(error)
    if isinstance(error, Garbled):
        # Not a bug of ours but a payload Slack never sent: one line, no traceback.
        log.warning("refused a payload carrying %s this app did not make", error.what)
    if message is not None:
        return message
    reference = secrets.token_hex(4)
    log.error("unexpected error (reference %s)", reference, exc_info=error)
    return text.BUG.format(reference=reference)


def _database_unreachable(error: DBAPIError) -> bool:
    """The database went away (restarted, network cut), as opposed to a bug in a query: the
    transaction was rolled back, so nothing half-done stays, and trying again will work."""
    return error.connection_invalidated or isinstance(error, OperationalError | InterfaceError)


def _code(value: str) -> str:
    """Text shown inside backticks: escaped, and without backticks that would end the span."""
    return escape(value.replace("`", "'"))
