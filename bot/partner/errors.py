"""What can go wrong when talking to a Partner API, in three kinds that callers must tell apart.

- `PartnerError`: the vendor answered and refused. Nothing changed upstream.
- `PartnerUnavailable`: the vendor could not be reached or its answer was unusable, and the
  request certainly changed nothing (a GET, or a POST that never left this machine or that the
  server turned away before handling it). Safe to try again later.
- `PartnerOutcomeUnknown`: a POST/DELETE may have reached the vendor but no usable answer came
  back. Money may have moved: the caller must find out (re-read balances) before doing anything.

No exception here ever holds an API key: they are built from the product, the endpoint template
and vendor text, never from a URL or a request body.
"""

from __future__ import annotations

import math
from enum import StrEnum

from bot.i18n import N_
from bot.partner.models import Product


class Reason(StrEnum):
    """What a vendor error means, independent of which endpoint numbered it how."""

    MISSING_API_KEY = "missing_api_key"
    INVALID_API_KEY = "invalid_api_key"
    NOT_AUTHORIZED = "not_authorized"
    MISSING_FIELD = "missing_field"
    INVALID_FIELD = "invalid_field"
    DUPLICATE_EMAIL = "duplicate_email"
    UNKNOWN_SUBACCOUNT = "unknown_subaccount"
    INSUFFICIENT_CREDIT = "insufficient_credit"
    INSUFFICIENT_SUBACCOUNT_CREDIT = "insufficient_subaccount_credit"
    IP_NOT_ALLOWED = "ip_not_allowed"
    ACCOUNT_DISABLED = "account_disabled"
    ACCOUNT_BLOCKED = "account_blocked"
    API_ACCESS_REFUSED = "api_access_refused"
    RATE_LIMITED = "rate_limited"
    UNKNOWN = "unknown"


class Endpoint(StrEnum):
    """Endpoint templates: what logs and errors name instead of a URL (which may hold a key)."""

    ME = "/me"
    SUBACCOUNT_LIST = "/subaccount/list"
    SUBACCOUNT_CREATE = "/subaccount/create"
    CREDIT_ADD = "/subaccount/credit/add"
    CREDIT_REMOVE = "/subaccount/credit/remove"
    SUBACCOUNT_DELETE = "/subaccount/delete"
    SUBACCOUNT_REMOVE = "/subaccount/remove"


_Meaning = tuple[Reason, str]

# The vendor's global error page. Codes an endpoint page numbers differently are overridden
# per endpoint below; this table is the fallback for any endpoint.
_GLOBAL: dict[int, _Meaning] = {
    1: (Reason.MISSING_API_KEY, N_("The API key is missing from the request.")),
    2: (
        Reason.NOT_AUTHORIZED,
        N_(
            "This account is not authorised for this operation: ask the vendor to enable "
            "subaccounts on the main account."
        ),
    ),
    6: (Reason.UNKNOWN_SUBACCOUNT, N_("The subaccount was not found.")),
    7: (
        Reason.INSUFFICIENT_SUBACCOUNT_CREDIT,
        N_("The subaccount does not hold enough credit for this."),
    ),
    10: (Reason.INVALID_API_KEY, N_("The API key is not valid for this product.")),
    11: (Reason.INSUFFICIENT_CREDIT, N_("The main account does not hold enough credit for this.")),
    20: (Reason.ACCOUNT_DISABLED, N_("The vendor account is disabled: contact the vendor.")),
    30: (Reason.ACCOUNT_BLOCKED, N_("The vendor account is blocked: contact the vendor.")),
    40: (
        Reason.API_ACCESS_REFUSED,
        N_("API access is refused for this account: contact the vendor."),
    ),
    96: (
        Reason.IP_NOT_ALLOWED,
        N_("This server's IP address is not on the account's list of allowed addresses."),
    ),
    404: (Reason.UNKNOWN_SUBACCOUNT, N_("The subaccount does not exist.")),
}

_CREATE: dict[int, _Meaning] = {
    1: (Reason.MISSING_API_KEY, N_("The API key is missing from the request.")),
    2: _GLOBAL[2],
    3: (
        Reason.MISSING_FIELD,
        N_("An advanced subaccount needs isBuyer (whether it may buy credit)."),
    ),
    4: (Reason.MISSING_FIELD, N_("The subaccount type is missing.")),
    5: (Reason.INVALID_FIELD, N_("The subaccount type does not exist (use simple or advanced).")),
    6: (Reason.MISSING_FIELD, N_("An advanced subaccount needs an email address.")),
    7: (Reason.DUPLICATE_EMAIL, N_("An account already exists with this email address.")),
    8: (Reason.INVALID_FIELD, N_("The initial credit must be greater than 0.")),
    9: (
        Reason.INSUFFICIENT_CREDIT,
        N_("The main account's balance must be greater than 0 and cover the initial credit."),
    ),
}

# Credit add/remove: the endpoint page and the global page disagree on 6, 7 and 9/10, so the
# explanation gives both readings rather than guessing which one the server meant.
_CREDIT: dict[int, _Meaning] = {
    1: (Reason.MISSING_API_KEY, N_("The API key is missing from the request.")),
    2: (Reason.MISSING_FIELD, N_("The amount of credit is missing.")),
    3: (Reason.MISSING_FIELD, N_("The subaccount's token is missing.")),
    4: _GLOBAL[2],
    5: (Reason.INVALID_FIELD, N_("The amount of credit must be greater than 0.")),
    6: (
        Reason.UNKNOWN_SUBACCOUNT,
        N_("The subaccount was not found, or its balance is not greater than 0."),
    ),
    7: (
        Reason.UNKNOWN_SUBACCOUNT,
        N_("The subaccount does not exist, or it holds less credit than the amount to remove."),
    ),
    8: (Reason.INSUFFICIENT_CREDIT, N_("There is not enough credit to move this amount.")),
    9: _GLOBAL[10],
}

_LIST: dict[int, _Meaning] = {}

_DELETE: dict[int, _Meaning] = {
    1: (Reason.MISSING_FIELD, N_("The subaccount's token is missing.")),
}

_BY_ENDPOINT: dict[Endpoint, dict[int, _Meaning]] = {
    Endpoint.SUBACCOUNT_CREATE: _CREATE,
    Endpoint.CREDIT_ADD: _CREDIT,
    Endpoint.CREDIT_REMOVE: _CREDIT,
    Endpoint.SUBACCOUNT_LIST: _LIST,
    Endpoint.SUBACCOUNT_DELETE: _DELETE,
    Endpoint.SUBACCOUNT_REMOVE: _DELETE,
}


def explain(endpoint: Endpoint, code: int | None) -> _Meaning:
    """The reason and English explanation for a vendor error code on an endpoint."""
    if code is not None:
        meaning = _BY_ENDPOINT.get(endpoint, {}).get(code) or _GLOBAL.get(code)
        if meaning:
            return meaning
    return Reason.UNKNOWN, N_("The vendor refused the request.")


def documented_codes(endpoint: Endpoint) -> set[int]:
    """Every code this module knows for an endpoint (used by tests to prove coverage)."""
    return set(_GLOBAL) | set(_BY_ENDPOINT.get(endpoint, {}))


class PartnerFailure(Exception):
    """Base of every failure of a Partner API call."""

    def __init__(self, product: Product, endpoint: Endpoint, detail: str) -> None:
        self.product = product
        self.endpoint = endpoint
        self.detail = detail
        super().__init__(f"{product.label} {endpoint}: {detail}")


class PartnerError(PartnerFailure):
    """The vendor answered and refused the request; nothing changed upstream."""

    def __init__(
        self,
        product: Product,
        endpoint: Endpoint,
        code: int | None,
        vendor_message: str | None,
    ) -> None:
        self.code = code
        self.vendor_message = vendor_message
        self.reason, self.explanation = explain(endpoint, code)
        shown = f"code {code}" if code is not None else "no code"
        text = f"{self.explanation} ({shown}"
        text += f": {vendor_message})" if vendor_message else ")"
        super().__init__(product, endpoint, text)


class PartnerUnavailable(PartnerFailure):
    """Unreachable or unusable answer, and certainly nothing changed upstream."""


class PartnerOutcomeUnknown(PartnerFailure):
    """A POST/DELETE may have been carried out, but no usable answer came back.

    Never retry the request on this: find out from the balances what happened.
    """


class RateLimited(PartnerUnavailable):
    """The vendor's rate limit for this key is spent and no recent answer can stand in for one.

    Raised at once instead of waiting for the window, so that nobody holds a slot (or a Slack
    user) for up to a minute: `retry_in` says when asking again will work.
    """

    def __init__(self, product: Product, endpoint: Endpoint, retry_in: float) -> None:
        self.retry_in = max(1, math.ceil(retry_in))
        super().__init__(
            product, endpoint, f"the vendor's rate limit is spent; try again in {self.retry_in} s"
        )
