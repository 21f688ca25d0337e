"""Asking: a credit move, a new subaccount or a deletion, routed by the policy
(bot.services.policy.decide_route), checked against the live balances, and refused when the
same person asked for the same thing moments ago."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from typing import Any

from bot.clock import utcnow
from bot.db.models import CreditRequest
from bot.db.session import Database
from bot.i18n import _
from bot.money import format_money, validate_amount
from bot.partner.models import Product, Subaccount, SubaccountType
from bot.services.directory import Directory
from bot.services.partner_access import PartnerAccess
from bot.services.policy import (
    DAILY_CAP_WINDOW,
    Policy,
    RequestFacts,
    Route,
    decide_route,
    load_policy,
    lockout_fixed,
    lockout_to_tell,
)
from bot.services.requests.errors import (
    ApprovalsNotSetUp,
    NotARequester,
    RequestRefused,
    SameOrigin,
    SimilarRequest,
)
from bot.services.requests.guarded import refuse_blocked_add
from bot.services.requests.model import Action, Ask, Submitted
from bot.services.requests.store import RequestStore
from bot.services.roles import Role, Roles, SubjectKind
from bot.services.subaccount_controls import SubaccountControls
from bot.services.subaccounts import pick_subaccount


class Asking:
    def __init__(
        self,
        store: RequestStore,
        database: Database,
        partner: PartnerAccess,
        roles: Roles,
        similar_window: timedelta,
        controls: SubaccountControls,
    ) -> None:
        self._store = store
        self._controls = controls
        self._database = database
        self._partner = partner
        self._roles = roles
        self.similar_window = similar_window
        """A request just like one the same person made this recently asks them to confirm."""

    async def request_credit(
        self,
        team_id: str,
        requester_id: str,
        ask: Ask,
        directory: Directory,
        *,
        confirmed_similar: int | None = None,
    ) -> Submitted:
        """`confirmed_similar`: the number of the earlier request the requester saw and still
        wants this one besides (see `SimilarRequest`)."""
        action, product, ref, reason = ask.action, ask.product, ask.ref, ask.reason
        assert action in (Action.CREDIT_ADD, Action.CREDIT_REMOVE)
        assert ref is not None and ask.amount is not None
        amount = validate_amount(ask.amount)
        policy, facts, route = await self._route(team_id, requester_id, directory, amount=amount)
        subaccounts, main, key = await self._read_live(team_id, product)
        subaccount = pick_subaccount(subaccounts, ref)
        if action is Action.CREDIT_ADD:  # frozen or capped: here, and before the vendor call
            await refuse_blocked_add(self._controls, team_id, product, subaccount, amount)
        if action is Action.CREDIT_ADD and amount > main:
            raise RequestRefused(
                _("The main account holds {main}: it cannot give {amount}.").format(
                    main=format_money(main), amount=format_money(amount)
                )
            )
        if action is Action.CREDIT_REMOVE and amount > subaccount.balance:
            raise RequestRefused(
                _("{subaccount} holds {balance}: {amount} cannot be removed.").format(
                    subaccount=subaccount.email or subaccount.token,
                    balance=format_money(subaccount.balance),
                    amount=format_money(amount),
                )
            )
        return await self._insert(
            team_id,
            requester_id,
            product,
            action,
            policy,
            facts,
            route,
            subaccount=subaccount,
            amount=amount,
            reason=reason,
            details=_at_request(main, subaccount),
            key=key,
            confirmed_similar=confirmed_similar,
        )

    async def request_new_subaccount(
        self,
        team_id: str,
        requester_id: str,
        ask: Ask,
        directory: Directory,
        *,
        origin: str | None = None,
        confirmed_similar: int | None = None,
    ) -> Submitted:
        """`origin` names the Slack form the request comes from (`view:<id>`): submitted
        twice, it makes one request, and the repeat gets `Submitted.repeated`."""
        product, new, reason = ask.product, ask.new, ask.reason
        assert ask.action is Action.SUBACCOUNT_CREATE and new is not None
        if origin is not None:
            made = await self._store.made_from(team_id, origin)
            if made is not None:
                return Submitted(made, None, repeated=True)
        amount = validate_amount(new.credit) if new.credit else None
        policy, facts, route = await self._route(team_id, requester_id, directory, amount=amount)
        if new.kind is SubaccountType.ADVANCED and not new.email:
            raise RequestRefused(_("An advanced subaccount needs an email address."))
        existing, main, key = await self._read_live(team_id, product)
        if new.email and any(s.email.lower() == new.email.lower() for s in existing):
            raise RequestRefused(
                _("A subaccount with the email {email} already exists.").format(email=new.email)
            )
        if amount is not None and amount > main:
            raise RequestRefused(
                _(
                    "The main account holds {main}: it cannot give {amount} to a new subaccount."
                ).format(main=format_money(main), amount=format_money(amount))
            )
        details = {
            "type": new.kind.value,
            "email": new.email,
            "is_buyer": new.is_buyer,
            "firstname": new.firstname,
            "lastname": new.lastname,
            **_at_request(main, None),
        }
        try:
            return await self._insert(
                team_id,
                requester_id,
                product,
                Action.SUBACCOUNT_CREATE,
                policy,
                facts,
                route,
                subaccount=None,
                amount=amount,
                reason=reason,
                details={k: v for k, v in details.items() if v is not None},
                email=new.email,
                key=key,
                origin=origin,
                confirmed_similar=confirmed_similar,
            )
        except SameOrigin as same:  # a second submission of the form won no race
            return Submitted(same.request, None, repeated=True)

    async def request_deletion(
        self,
        team_id: str,
        requester_id: str,
        ask: Ask,
        directory: Directory,
        *,
        confirmed_similar: int | None = None,
    ) -> Submitted:
        product, ref, reason = ask.product, ask.ref, ask.reason
        assert ask.action is Action.SUBACCOUNT_DELETE and ref is not None
        policy, facts, route = await self._route(team_id, requester_id, directory, deletion=True)
        subaccounts, main, key = await self._read_live(team_id, product)
        subaccount = pick_subaccount(subaccounts, ref)
        return await self._insert(
            team_id,
            requester_id,
            product,
            Action.SUBACCOUNT_DELETE,
            policy,
            facts,
            route,
            subaccount=subaccount,
            amount=None,
            reason=reason,
            details=_at_request(main, subaccount),
            key=key,
            confirmed_similar=confirmed_similar,
        )

    async def make(
        self,
        team_id: str,
        requester_id: str,
        ask: Ask,
        directory: Directory,
        origin: str | None,
        confirmed_similar: int | None,
    ) -> Submitted:
        """The request `ask` describes, made by the step of its kind."""
        match ask.action:
            case Action.CREDIT_ADD | Action.CREDIT_REMOVE:
                return await self.request_credit(
                    team_id, requester_id, ask, directory, confirmed_similar=confirmed_similar
                )
            case Action.SUBACCOUNT_DELETE:
                return await self.request_deletion(
                    team_id, requester_id, ask, directory, confirmed_similar=confirmed_similar
                )
            case Action.SUBACCOUNT_CREATE:
                return await self.request_new_subaccount(
                    team_id,
                    requester_id,
                    ask,
                    directory,
                    origin=origin,
                    confirmed_similar=confirmed_similar,
                )
        raise AssertionError(ask.action)  # pragma: no cover

    async def _read_live(
        self, team_id: str, product: Product
    ) -> tuple[list[Subaccount], Decimal, str]:
        """The live subaccount list and the main balance, read side by side, and which key
        read them: the request is bound to that key's account."""
        client = await self._partner.subaccount_client(team_id, product)
        subaccounts, account = await asyncio.gather(client.all_subaccounts(), client.me())
        return subaccounts, account.balance, client.key_id

    async def _route(
        self,
        team_id: str,
        requester_id: str,
        directory: Directory,
        *,
        amount: Decimal | None = None,
        deletion: bool = False,
    ) -> tuple[Policy, RequestFacts, Route]:
        """The policy and the route it gives this request, before anything else is read:
        somebody who may not ask learns nothing about the subaccounts, and a request that
        needs approvers nobody can give is refused before the vendor is asked. The route is
        decided again, for good, in the transaction that records the request
        (`RequestStore.insert`): the policy or the requester's auto-approved total may change
        while the vendor is read."""
        async with self._database.session() as session:
            policy = await load_policy(session, team_id)
        access = await self._roles.requester_access(team_id, requester_id, policy, directory)
        facts = RequestFacts(requester_allowed=access.allowed, is_deletion=deletion, amount=amount)
        used = Decimal(0)
        if access.allowed and amount is not None and policy.daily_auto_approve_cap is not None:
            used = await self._store.auto_approved_since(
                team_id, requester_id, utcnow() - DAILY_CAP_WINDOW
            )
        route = decide_route(policy, replace(facts, auto_approved_last_24h=used))
        if route.refused:
            assert policy.requesters_usergroup_id is not None
            tell: tuple[str, ...] = ()
            if access.locked_out:
                setter = await lockout_to_tell(self._database, team_id)
                if setter is not None:
                    admins = [
                        s.id
                        for s in await self._roles.members(team_id, Role.ADMIN)
                        if s.kind is SubjectKind.USER
                    ]
                    tell = tuple(dict.fromkeys([*admins, *setter]))
            raise NotARequester(
                policy.requesters_usergroup_id,
                policy.requesters_usergroup_label,
                locked_out=access.locked_out,
                tell_admins=tell,
                team_id=team_id,
            )
        if policy.requesters_usergroup_id is not None:
            await lockout_fixed(self._database, team_id)
        return policy, facts, route

    async def _insert(
        self,
        team_id: str,
        requester_id: str,
        product: Product,
        action: Action,
        policy: Policy,
        facts: RequestFacts,
        route: Route,
        *,
        subaccount: Subaccount | None,
        amount: Decimal | None,
        reason: str | None,
        details: dict[str, Any],
        key: str,
        email: str | None = None,
        origin: str | None = None,
        confirmed_similar: int | None = None,
    ) -> Submitted:
        has_approvers = await self._roles.has_approvers(team_id)
        if not route.runs_now:
            _approvable(policy, has_approvers)
        # Typing a command twice or double-submitting a form is likelier than meaning it.
        similar = await self._store.similar_recent(
            team_id,
            requester_id,
            product,
            action,
            subaccount.token if subaccount else (email or "").lower() or None,
            amount,
            since=utcnow() - self.similar_window,
        )
        if similar is not None and origin is not None:
            # The same form submitted twice at once: the other submission just made it.
            made = await self._store.made_from(team_id, origin)
            if made is not None:
                raise SameOrigin(made)
        if similar is not None and similar.number != confirmed_similar:
            raise SimilarRequest(similar)

        def accept(policy: Policy, route: Route) -> None:
            # Over the cap now, or the policy tightened meanwhile: it waits for approvers,
            # who must exist to see it (the same refusal as when it is asked one at a time).
            if not route.runs_now:
                _approvable(policy, has_approvers)

        now = utcnow()
        row = CreditRequest(
            team_id=team_id,
            product=product.value,
            action=action.value,
            requester_id=requester_id,
            subaccount_token=subaccount.token if subaccount else None,
            subaccount_email=subaccount.email if subaccount else email,
            subaccount_id=subaccount.id if subaccount else None,
            amount=amount,
            reason=reason or None,
            details=details,
            created_at=now,
            updated_at=now,
            origin_key=origin,
            similar_to=similar.id if similar is not None else None,
            key_id=key,
        )
        request, routed_by = await self._store.insert(
            row, facts, similar.number if similar is not None else None, accept
        )
        return Submitted(request, routed_by.approvals_channel_id)


def _approvable(policy: Policy, has_approvers: bool) -> None:
    """Refuse a request that needs approval when nobody could give it."""
    if policy.approvals_channel_id is None:
        raise ApprovalsNotSetUp("channel")
    if not has_approvers:
        raise ApprovalsNotSetUp("approvers")


def _at_request(main: Decimal, subaccount: Subaccount | None) -> dict[str, str]:
    """The balances when the request was made, kept for its card."""
    figures = {"main_at_request": f"{main:f}"}
    if subaccount is not None:
        figures["sub_at_request"] = f"{subaccount.balance:f}"
    return figures
