"""Global middleware: every command and interaction acts in the workspace Bolt authorised, for
one of that workspace's members — checked once here, before any listener runs.

1. The workspace is the one whose installation (token) Bolt authorised: `authorize_result`'s
   team and org. It is written back into `context.team_id`/`context.enterprise_id`, which is
   what listeners use; no listener reads a workspace from the payload.
2. A payload that names another workspace than that one is refused, audited
   (`cross_workspace_refused`, in the authorised workspace's trail), and nothing else runs.
   Which fields must name it (see `foreign_claims`) follows what Slack sends in Slack Connect
   shared channels, where people of two organisations use one installation:
   - a slash command's `team_id` and a message button's `team.id` are the workspace the app
     answers from, the installed one, even for a user of the other organisation (Slack's
     answer in https://github.com/slackapi/bolt-js/issues/1614: "When a user sends a message
     to App … in WorkspaceTwo - team is still WorkspaceOne"; the same for actions): they
     must match exactly, as must `enterprise_id` where both sides have one;
   - a modal's payloads (view_submission, view_closed, and clicks inside a modal) carry the
     workspace the person submitted from in `team.id` — their own in a shared channel — and
     the installed one in `view.app_installed_team_id` (same issue; Bolt routes on that field
     first, slack_bolt.request.internals.extract_team_id). So `view.app_installed_team_id`
     must match exactly, while `team.id` and `view.team_id` may be either the installed
     workspace or the acting user's own (`user.team_id`), never a third one.
3. The acting user must belong to the workspace (bot.slack.membership, from `users.info`):
   strangers — another organisation's people in a shared channel (`is_stranger`, another
   `team_id` outside the Grid org), unknown or deactivated users — are refused everything;
   guests may only read (`guest_may`). This check (`MemberGate`) needs a Slack call, so it
   runs after the ack, not here: the middleware puts it on the context, and every listener
   runs it right after `await ack()` (bot.slack.membership.check_member), or once its modal
   is open (bot.slack.modals.open_loading). Until then the listener speaks the language the
   process already knows for the user (a form's errors, "Loading…"), set here.

A refusal here is acknowledged first, then audited and answered where the person looks
(bot.slack.error_handler.tell): the modal for a submission (the ack replaces the form), else
the response_url, else a DM.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt.response import BoltResponse

from bot.i18n import normalise, use_language, use_zone
from bot.services.audit import AuditLog
from bot.services.languages import UserLocales
from bot.slack.context import DIRECTORY
from bot.slack.directory import SlackDirectory
from bot.slack.door_acks import WAITED_FOR_ACKS
from bot.slack.error_handler import error_view_ack, tell
from bot.slack.lookups.subaccount_views import PAGE_ACTION
from bot.slack.membership import MEMBER_GATE, Belonging, NotAMember, belonging
from bot.slack.partner_command import COMMAND, guests_may
from bot.slack.requests.views import DROP_SIMILAR_ACTION
from bot.slack.texts import isolation as text

log = logging.getLogger(__name__)

CROSS_WORKSPACE_REFUSED = "cross_workspace_refused"
"""The audit action of a payload that named another workspace than its installation's."""

INTERACTIONS = frozenset(
    {
        "block_actions",
        "block_suggestion",
        "view_submission",
        "view_closed",
        "shortcut",
        "message_action",
    }
)
VIEW_PAYLOADS = frozenset({"view_submission", "view_closed"})


@dataclass(frozen=True, slots=True)
class Workspace:
    team_id: str
    enterprise_id: str | None


def authorised_workspace(context: dict[str, Any]) -> Workspace | None:
    """The workspace of the installation Bolt authorised this request with."""
    result = context.get("authorize_result")
    team_id = getattr(result, "team_id", None) or context.get("team_id")
    if not team_id:
        return None
    enterprise_id = getattr(result, "enterprise_id", None) or context.get("enterprise_id")
    return Workspace(team_id, enterprise_id or None)


def acts(body: dict[str, Any]) -> bool:
    """A person doing something: a slash command or an interaction (not an event)."""
    return bool(body.get("command")) or body.get("type") in INTERACTIONS


def foreign_claims(body: dict[str, Any], workspace: Workspace) -> dict[str, str]:
    """The payload's workspace fields that name another workspace than `workspace`
    (field → what it says); empty when the payload agrees. See the module's docstring."""
    found: dict[str, str] = {}
    team = workspace.team_id
    user = body.get("user") if isinstance(body.get("user"), dict) else {}
    own_team = user.get("team_id") or body.get("user_team_id")
    view = body.get("view") if isinstance(body.get("view"), dict) else {}
    container = body.get("container") if isinstance(body.get("container"), dict) else {}
    in_a_view = body.get("type") in VIEW_PAYLOADS or container.get("type") == "view"

    def exactly(field: str, value: Any, expected: str | None = team) -> None:
        if value and expected and value != expected:
            found[field] = str(value)

    def installed_or_own(field: str, value: Any) -> None:
        if value and value != team and value != own_team:
            found[field] = str(value)

    if body.get("command"):
        exactly("team_id", body.get("team_id"))
        exactly("enterprise_id", body.get("enterprise_id"), workspace.enterprise_id)
        return found
    payload_team = body.get("team")
    team_field = payload_team.get("id") if isinstance(payload_team, dict) else payload_team
    exactly("view.app_installed_team_id", view.get("app_installed_team_id"))
    installed_or_own("view.team_id", view.get("team_id"))
    if in_a_view:
        installed_or_own("team.id", team_field)
    else:
        exactly("team.id", team_field)
        enterprise = body.get("enterprise")
        enterprise_field = enterprise.get("id") if isinstance(enterprise, dict) else enterprise
        exactly("enterprise.id", enterprise_field, workspace.enterprise_id)
    return found


def guest_may(body: dict[str, Any], context: dict[str, Any]) -> bool:
    """Whether a guest may make this request: what the command table says only reads
    (`Subcommand.guests` of the entry the door read, bot.slack.partner_command), paging a
    list, dropping a suggestion; not asking, deciding or changing anything."""
    if body.get("command"):
        return guests_may(context.get(COMMAND))
    if body.get("type") == "block_actions":
        actions = body.get("actions") or []
        return bool(actions) and all(
            str(a.get("action_id", "")).startswith(PAGE_ACTION)
            or a.get("action_id") == DROP_SIMILAR_ACTION
            for a in actions
        )
    return False


class MemberGate:
    """The membership check of one request, run once however often it is asked for; it also
    sets the language the rest of the request speaks.

    Not run in the middleware: a middleware runs before the listener's ack, and users.info can
    be slow. Listeners run it right after the ack (bot.slack.membership.check_member), or, when
    they open a modal, open_loading right after the modal opened: a trigger_id does not outlive
    a users.info answered 429. Its refusal (NotAMember) stops the listener there and is
    answered like any other.

    Its users.info is the request's one look at the acting user: asked through the request's
    SlackDirectory (whose admin checks then reuse it), with `include_locale` while the
    process's UserLocales does not know the user's language yet — so the language costs no
    call of its own. `check` sets it for the calling task (the listener's, bot.i18n.use_language),
    before a refusal is worded.
    """

    def __init__(
        self,
        context: dict[str, Any],
        user_id: str | None,
        workspace: Workspace,
        body: dict,
        locales: UserLocales | None,
        after_acks: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self._context = context
        self._after_acks = after_acks
        self._user_id = user_id
        self._workspace = workspace
        self._body = body
        self._locales = locales
        self._verdict: object | None = None  # a catalog text, worded once the language is set
        self._language: str | None = None
        self._zone: str | None = None
        self._checked = False

    def known_language(self) -> str | None:
        """The user's language as the process already knows it (no Slack call), if it does."""
        locales = self._locales
        if self._language is not None or locales is None or not self._user_id:
            return self._language
        return locales.get(self._workspace.team_id, self._user_id)

    async def check(self) -> None:
        if not self._checked:
            ack = self._context.get("ack")
            if (
                self._after_acks is not None
                and getattr(ack, "response", None) is not None
                and not self._context.get(WAITED_FOR_ACKS)
            ):
                # Acknowledged: the acks of the requests still at the door go first
                # (bot.shutdown.InFlight.after_acks). Never before this request's own ack;
                # once only (a request acknowledged at the door waited there).
                await self._after_acks()
            self._verdict = await self._judge()
            self._checked = True
        use_language(self._language)
        use_zone(self._zone)
        if self._verdict is not None:
            raise NotAMember(self._verdict)

    async def _judge(self) -> object | None:
        user = await self._lookup() if self._user_id else None
        workspace = self._workspace
        standing = belonging(user, workspace.team_id, workspace.enterprise_id)
        if standing is Belonging.STRANGER:
            log.info("refused a request from outside the workspace")
            return text.STRANGER
        if standing is Belonging.GUEST and not guest_may(self._body, self._context):
            return text.GUEST
        return None

    async def _lookup(self) -> dict[str, Any] | None:
        assert self._user_id
        team_id = self._workspace.team_id
        directory: SlackDirectory | None = self._context.get(DIRECTORY)
        if directory is None:  # no services on this app (never in bot.app): a lone directory
            directory = SlackDirectory(self._context["client"], team_id=team_id)
        known = self.known_language()
        user = await directory.user(self._user_id, with_locale=known is None)
        locales = self._locales
        if known is None and user:
            known = normalise(user.get("locale"))  # none given: English, as user_language
            if locales is not None:
                locales.put(team_id, self._user_id, known)
        if user:
            # Every users.info answer says the zone: the reader's times cost no call either.
            self._zone = user.get("tz") or None
            if locales is not None:
                locales.put_zone(team_id, self._user_id, self._zone)
        self._language = known
        return user


def workspace_guard(
    audit_log: AuditLog,
    user_locales: UserLocales | None = None,
    track: Callable[[asyncio.Future[Any]], None] | None = None,
    after_acks: Callable[[], Awaitable[None]] | None = None,
) -> Callable[..., Awaitable[BoltResponse | None]]:
    """`track` keeps the work a refusal does after its ack (the audit entry, the answer) in
    what the process waits for when it stops (bot.shutdown.InFlight.track); `after_acks` is
    what an acknowledged listener waits for before its membership check and all that follows
    (bot.shutdown.InFlight.after_acks)."""

    async def middleware(
        body: dict[str, Any],
        context: dict[str, Any],
        next_: Callable[[], Awaitable[None]],
    ) -> BoltResponse | None:
        if not acts(body):
            await next_()
            return None
        workspace = authorised_workspace(context)
        if workspace is None:  # not authorised for a workspace: nothing may run
            log.warning("refused a request Bolt authorised for no workspace")
            return BoltResponse(status=200, body="")
        # From here on listeners read the workspace from the context, and only from it.
        context["team_id"] = workspace.team_id
        context["enterprise_id"] = workspace.enterprise_id
        user = body.get("user") if isinstance(body.get("user"), dict) else {}
        user_id = context.get("user_id") or (user.get("id") if user else None)
        claims = foreign_claims(body, workspace)
        if claims:
            log.warning(
                "refused a payload naming another workspace (%s) than its installation's",
                ", ".join(sorted(claims)),
            )
            # Acknowledged first, as Slack asks within 3 s: the audit entry and the answer
            # come after, and no listener runs.
            message = str(text.CROSS_WORKSPACE)
            entry = {
                "kind": body.get("command") or body.get("type"),
                "claimed": claims,
                "user_team": user.get("team_id") if user else None,
            }
            work = asyncio.ensure_future(
                _after_refusal(audit_log, workspace, user_id, entry, message, body, context)
            )
            if track is not None:
                track(work)
            if body.get("type") == "view_submission":
                # The ack itself replaces the form by the message.
                return BoltResponse(status=200, body=error_view_ack(message))
            return BoltResponse(status=200, body="")
        gate = MemberGate(context, user_id, workspace, body, user_locales, after_acks)
        context[MEMBER_GATE] = gate
        # Bolt runs the listener in a task of its own, made after this: it inherits this.
        use_language(gate.known_language())
        await next_()
        return None

    return middleware


async def _after_refusal(
    audit_log: AuditLog,
    workspace: Workspace,
    user_id: str | None,
    entry: dict[str, Any],
    message: str,
    body: dict[str, Any],
    context: dict[str, Any],
) -> None:
    """The refusal's audit entry, then its answer where the person looks (a submission's
    answer was its ack). A failure is logged: there is no one left to raise it to."""
    try:
        await audit_log.record(workspace.team_id, CROSS_WORKSPACE_REFUSED, user_id, **entry)
    except Exception:
        log.exception("could not audit a refused cross-workspace payload")
    if body.get("type") != "view_submission":
        await tell(message, body, context)
