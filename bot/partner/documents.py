"""Reading the vendors' JSON documents into exact, typed values.

Every reader raises `Malformed` when a success answer's fields are not what the vendor
documents; the client turns that into a `PartnerUnavailable` naming the endpoint.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from bot.money import to_decimal
from bot.partner.models import AccountUser, Subaccount, SubaccountPage, VoiceDuration


class Malformed(Exception):
    """A success answer whose fields are not what the vendor documents."""


def subaccount_page(document: Mapping[str, Any]) -> SubaccountPage:
    rows = document.get("data")
    if rows is None:
        rows = []
    if not isinstance(rows, list):
        raise Malformed("data is not a list")
    return SubaccountPage(
        page=count(document.get("page", 1)),
        nb_per_page=count(document.get("nb_per_page", 20)),
        total=count(document.get("total", len(rows))),
        items=tuple(subaccount(row) for row in rows),
    )


def subaccount(row: Any) -> Subaccount:
    """One row of `subaccount/list`. The row's own "apiKey" is deliberately not read: it is
    the subaccount's secret.

    The vendor's usual row (every field of the type it documents, the balance a finite
    amount, the currency EUR) is read without the checks of `checked_subaccount`, which were
    half of reading a page; any row that differs in any way takes the checked reading, so
    both read every row alike (tests/unit/test_subaccount_rows.py)."""
    if type(row) is dict:
        id_, email, kind, token = row.get("id"), row.get("email"), row.get("type"), row.get("token")
        credits = row.get("credits")
        if (
            type(id_) is int
            and type(email) is str
            and type(kind) is str
            and type(token) is str
            and token
            and type(credits) is dict
        ):
            balance, sign = credits.get("balance"), credits.get("currency")
            if type(balance) is str and (sign is None or sign == "EUR" or sign == "€"):
                try:
                    value = Decimal(balance)
                except ArithmeticError:
                    value = None
                if value is not None and value.is_finite():
                    return Subaccount.of_page(
                        id_, email, kind, token, timestamp(row.get("createdAt")), value, "EUR"
                    )
    return checked_subaccount(row)


def checked_subaccount(row: Any) -> Subaccount:
    """`subaccount`, every field checked and read as the vendor may write it."""
    if not isinstance(row, dict) or not row.get("token"):
        raise Malformed("a subaccount row has no token")
    credits = row.get("credits") or {}
    if not isinstance(credits, dict):
        raise Malformed("a subaccount's credits is not an object")
    return Subaccount.of_page(
        count(row.get("id", 0)),
        str(row.get("email") or ""),
        str(row.get("type") or ""),
        str(row["token"]),
        timestamp(row.get("createdAt")),
        amount(credits, "balance"),
        currency(credits.get("currency")),
    )


def json_object(document: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = document.get(name)
    if not isinstance(value, dict):
        raise Malformed(f"{name} is missing")
    return value


def account_user(document: Mapping[str, Any]) -> AccountUser:
    user = document.get("user") or {}
    if not isinstance(user, dict):
        raise Malformed("user is not an object")
    return AccountUser(
        username=str(user.get("username") or ""),
        firstname=optional_str(user.get("firstname")),
        lastname=optional_str(user.get("lastname")),
    )


def amount(container: Mapping[str, Any], name: str) -> Decimal:
    if name not in container:
        raise Malformed(f"{name} is missing")
    try:
        return to_decimal(container[name])
    except ValueError:
        raise Malformed(f"{name} is not an amount") from None


def optional_amount(value: Any) -> Decimal | None:
    try:
        return to_decimal(value)
    except ValueError:
        return None


def count(value: Any) -> int:
    if isinstance(value, bool):
        raise Malformed("a counter is a boolean")
    if isinstance(value, int):
        return value
    if isinstance(value, str | Decimal):
        try:
            number = Decimal(value)
        except ArithmeticError:
            raise Malformed(f"{value!r} is not a whole number") from None
        if number.is_finite() and number == number.to_integral_value():
            return int(number)
    raise Malformed(f"{value!r} is not a whole number")


def currency(value: Any) -> str:
    # Voice writes the sign; the money is EUR everywhere.
    text = str(value or "EUR").strip()
    return "EUR" if text in ("€", "") else text.upper()


def duration(value: Any) -> VoiceDuration | None:
    if not isinstance(value, dict):
        return None
    return VoiceDuration(
        hours=count(value.get("h", 0)),
        minutes=count(value.get("m", 0)),
        seconds=count(value.get("s", 0)),
    )


def timestamp(value: Any) -> datetime | None:
    """The vendor's "YYYY-MM-DD HH:MM:SS" (naive, as every time in the app), else None.
    Its usual zero-padded shape goes through `fromisoformat`, about ten times faster than
    `strptime`, which was a third of parsing a page of subaccounts; with the separators where
    the format has them the two read exactly the same. Any other shape takes `strptime`."""
    text = str(value or "")
    if not text:
        return None
    try:
        if (
            len(text) == 19
            and text[10] == " "
            and text[4] == text[7] == "-"
            and text[13] == text[16] == ":"
        ):
            return datetime.fromisoformat(text)
        return datetime.strptime(text, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None


def optional_str(value: Any) -> str | None:
    return str(value) if value else None
