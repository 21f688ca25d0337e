"""What the vendor does for each endpoint of SMS, Mail and Voice (API.md): authenticate the
key, read or move money in `SandboxState`, answer with the vendor's exact shapes and refusal
codes (French messages included)."""

from __future__ import annotations

import math
import secrets as secrets_module
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from bot.partner.models import Product
from devkit.sandbox.faults import LIST_ENDPOINT, FaultKind
from devkit.sandbox.money import (
    decimal_literal,
    is_blank,
    money_text,
    optional_text,
    parse_amount,
)
from devkit.sandbox.state import (
    CURRENCY,
    DELETE_PATHS,
    GENERATED_EMAIL_DOMAIN,
    PER_PAGE,
    VOICE_CURRENCY,
    VOICE_LIMIT,
    VOICE_WINDOW_SECONDS,
    SandboxAccount,
    SandboxState,
    SandboxSubaccount,
)
from devkit.sandbox.wire import Call, Op, Refusal, Reply, Route, not_found, parse_body

# Prices that turn a balance into the integer counters `/me` reports. With the vendor's
# example balance (10225.119) they reproduce the example counters exactly.
_SMS_PRICE = Decimal("0.038")
_SMS_ECO_PRICE = Decimal("0.023")
_HLR_PRICE = Decimal("0.005")
_MAIL_PRICE = Decimal("0.038")


def routes(state: SandboxState) -> Iterable[Route]:
    """Every endpoint of the three products, each with the vendor logic that answers it."""

    def me(call: Call) -> Reply:
        return _op_me(state, call)

    def listing(call: Call) -> Reply:
        return _op_list(state, call)

    def create(call: Call) -> Reply:
        return _op_create(state, call)

    def credit(direction: str) -> Op:
        return lambda call: _move_credit(state, call, to_subaccount=direction == "add")

    def delete(path_name: str) -> Op:
        return lambda call: _delete(state, call, path_name)

    def voice_me(call: Call) -> Reply:
        return _op_voice_me(state, call)

    for product in (Product.SMS, Product.MAIL):
        yield Route(product, "GET", "/me", "/me", me)
        yield Route(product, "GET", LIST_ENDPOINT, LIST_ENDPOINT, listing)
        yield Route(product, "POST", "/subaccount/create", "/subaccount/create", create)
        for direction in ("add", "remove"):
            endpoint = f"/subaccount/credit/{direction}"
            yield Route(product, "POST", endpoint, endpoint, credit(direction))
        for name in DELETE_PATHS:
            endpoint = f"/subaccount/{name}"
            yield Route(product, "DELETE", endpoint, endpoint, delete(name))
    # Both Voice forms are one endpoint, "/me", for the journal and for faults.
    yield Route(Product.VOICE, "GET", "/me", "/me", voice_me)
    yield Route(Product.VOICE, "GET", "/me", "/me/{apiKey}", voice_me, True)


def _authenticate(state: SandboxState, call: Call) -> SandboxAccount:
    if is_blank(call.key):
        raise Refusal(1, "La Clé API est requise", 401)
    account = state.accounts.get(call.key) if isinstance(call.key, str) else None
    # A key of another product's account is as wrong as an unknown one.
    if account is None or account.product is not call.product:
        raise Refusal(10, "Clé API incorrecte", 401)
    return account


def _op_me(state: SandboxState, call: Call) -> Reply:
    account = _authenticate(state, call)
    balance = money_text(account.balance)
    if account.product is Product.MAIL:
        credits: dict[str, Any] = {
            "creditMail": int(account.balance // _MAIL_PRICE),
            "currency": CURRENCY,
            "balance": balance,
        }
        return Reply.ok({"user": {"username": account.username}, "credits": credits})
    credits = {
        "creditSms": int(account.balance // _SMS_PRICE),
        "creditSmsECO": int(account.balance // _SMS_ECO_PRICE),
        "creditHlr": int(account.balance // _HLR_PRICE),
        "toSend": 0,
        "solde": balance,
        "currency": CURRENCY,
        "balance": balance,
    }
    return Reply.ok({"user": _user(account), "credits": credits})


def _op_list(state: SandboxState, call: Call) -> Reply:
    account = _authenticate(state, call)
    page = _page_number(call.params.get("page"))
    served = 1 if call.fault is FaultKind.REPEAT_PAGE else page
    start = (served - 1) * PER_PAGE
    rows = account.subaccounts[start : start + PER_PAGE]
    if call.fault is FaultKind.EMPTY_PAGE:
        rows = []
    return Reply.ok(
        {
            "total": len(account.subaccounts),
            "nb_per_page": PER_PAGE,
            "page": page,
            "data": [_subaccount_row(sub) for sub in rows],
        }
    )


def _op_create(state: SandboxState, call: Call) -> Reply:
    account = _authenticate(state, call)
    if not account.subaccounts_enabled:
        raise Refusal(2, "Vous n'avez pas l'autorisation")
    kind = call.params.get("type")
    if is_blank(kind):
        raise Refusal(4, "Le type est requis (simple ou advanced)")
    if kind not in ("simple", "advanced"):
        raise Refusal(5, "Le type de sous-compte n'existe pas (simple ou advanced)")
    params = _parameters_object(call.params.get("parameters"))
    email = optional_text(params.get("email"))
    advanced = kind == "advanced"
    if advanced and email is None:
        raise Refusal(6, "L'email est requis")
    is_buyer = _parse_is_buyer(params) if advanced else False
    if email is not None and _email_taken(account, email):
        raise Refusal(7, "Un compte existe déjà avec cet email")
    amount = _credit_to_attribute(params)
    if amount > account.balance:
        raise Refusal(9, "La balance doit être supérieure à 0")
    sub = SandboxSubaccount(
        id=state.next_id(),
        email=email or _generated_email(state, account),
        type=kind,
        token=secrets_module.token_hex(16),
        api_key=secrets_module.token_hex(20),
        created_at=datetime.now().replace(microsecond=0),
        balance=amount,
        firstname=optional_text(params.get("firstname")),
        lastname=optional_text(params.get("lastname")),
        title=optional_text(params.get("title")),
        is_buyer=is_buyer,
    )
    account.balance -= amount
    account.subaccounts.append(sub)
    return Reply.ok(
        {
            "subaccount": {"email": sub.email, "token": sub.token},
            "sendConfirmMailTo": sub.email,
            "parent_email": account.username,
        },
        applied=True,
    )


def _generated_email(state: SandboxState, account: SandboxAccount) -> str:
    # The vendor's own example: "9875587@smspartner.fr".
    domain = GENERATED_EMAIL_DOMAIN[account.product]
    while True:
        email = f"{state.rng.randrange(10**6, 10**7)}@{domain}"
        if not _email_taken(account, email):
            return email


def _move_credit(state: SandboxState, call: Call, *, to_subaccount: bool) -> Reply:
    account = _authenticate(state, call)
    if not account.subaccounts_enabled:
        raise Refusal(4, "Vous n'avez pas l'autorisation")
    raw_credit, token = call.params.get("credit"), call.params.get("tokenSubaccount")
    if is_blank(raw_credit):
        raise Refusal(2, "Le crédit est requis")
    if is_blank(token):
        raise Refusal(3, "L'identifiant du sous-compte est requis")
    amount = parse_amount(raw_credit)
    if amount is None or amount <= 0:
        raise Refusal(5, "Le crédit à attribuer doit être supérieur à 0")
    sub = account.find_subaccount(token) if isinstance(token, str) else None
    if sub is None:
        raise Refusal(7, "Le sous-compte n'existe pas")
    source = account.balance if to_subaccount else sub.balance
    if amount > source:
        raise Refusal(8, "Crédit insufisant")  # sic: the vendor's spelling
    signed = amount if to_subaccount else -amount
    account.balance -= signed
    sub.balance += signed
    return Reply.ok(
        {"credit": account.balance, "subaccountCredit": sub.balance, "currency": CURRENCY},
        applied=True,
    )


def _delete(state: SandboxState, call: Call, path_name: str) -> Reply:
    account = _authenticate(state, call)
    if path_name not in account.delete_paths:
        return not_found()
    token = call.params.get("token")
    if is_blank(token):
        raise Refusal(1, "Le token est requis")
    sub = account.find_subaccount(token) if isinstance(token, str) else None
    if sub is None:
        raise Refusal(404, "Le sous-compte n'existe pas", 404)
    # The vendor does not document where a deleted subaccount's credit goes. The
    # sandbox returns it to the main account so that money is conserved: tests rely
    # on main + subaccounts staying constant.
    account.subaccounts.remove(sub)
    account.balance += sub.balance
    return Reply.ok({}, applied=True)


def _op_voice_me(state: SandboxState, call: Call) -> Reply:
    account = _authenticate(state, call)
    allowed, headers = _voice_rate_limit(state, account.api_key)
    if not allowed:
        body = {"success": False, "message": "Trop de requêtes : 5 par minute au maximum"}
        return Reply.json(body, status=429, headers=headers)
    # Voice answers have no `code`, and `credit` is a string.
    payload = {
        "success": True,
        "credit": decimal_literal(account.balance),
        "currency": VOICE_CURRENCY,
        "details": account.voice_details,
    }
    return Reply.json(payload, headers=headers)


def _voice_rate_limit(state: SandboxState, api_key: str) -> tuple[bool, dict[str, str]]:
    """A fixed window of VOICE_LIMIT requests per key, opened by its first request."""
    now = state.clock()
    started, used = state.voice_windows.get(api_key, (now, 0))
    if now - started >= VOICE_WINDOW_SECONDS:
        started, used = now, 0
    reset = str(max(1, math.ceil(started + VOICE_WINDOW_SECONDS - now)))
    headers = {"x-ratelimit-limit": str(VOICE_LIMIT), "x-ratelimit-reset": reset}
    if used >= VOICE_LIMIT:
        state.voice_windows[api_key] = (started, used)
        return False, {**headers, "x-ratelimit-remaining": "0", "Retry-After": reset}
    state.voice_windows[api_key] = (started, used + 1)
    return True, {**headers, "x-ratelimit-remaining": str(VOICE_LIMIT - used - 1)}


def _user(account: SandboxAccount) -> dict[str, Any]:
    user: dict[str, Any] = {"username": account.username}
    if account.firstname is not None:
        user["firstname"] = account.firstname
    if account.lastname is not None:
        user["lastname"] = account.lastname
    return user


def _subaccount_row(sub: SandboxSubaccount) -> dict[str, Any]:
    return {
        "id": sub.id,
        "email": sub.email,
        "type": sub.type,
        "token": sub.token,
        "apiKey": sub.api_key,
        "createdAt": sub.created_at.strftime("%Y-%m-%d %H:%M:%S"),
        "credits": {"balance": money_text(sub.balance), "currency": CURRENCY},
    }


def _page_number(raw: Any) -> int:
    """The page asked for; page 1 when omitted or unreadable, as the vendor documents."""
    try:
        page = int(str(raw).strip())
    except ValueError:
        return 1
    return max(page, 1)


def _parameters_object(raw: Any) -> dict[str, Any]:
    # One vendor example sends `parameters` as a JSON string: accept that too.
    if isinstance(raw, str):
        raw = parse_body(raw)
    return raw if isinstance(raw, dict) else {}


def _parse_is_buyer(params: dict[str, Any]) -> bool:
    raw = params.get("isBuyer")
    # 0 is a valid answer ("may not buy"): only an absent or unreadable value is refused.
    if isinstance(raw, bool):
        return raw
    if raw in (0, 1) or raw in ("0", "1"):
        return str(raw) == "1"
    raise Refusal(3, "isBuyer est requis")


def _credit_to_attribute(params: dict[str, Any]) -> Decimal:
    raw = params.get("creditToAttribute")
    if is_blank(raw):
        return Decimal("0.000")
    amount = parse_amount(raw)
    if amount is None or amount <= 0:
        raise Refusal(8, "creditToAttribute doit être supérieur à 0")
    return amount


def _email_taken(account: SandboxAccount, email: str) -> bool:
    wanted = email.casefold()
    return any(sub.email.casefold() == wanted for sub in account.subaccounts)
