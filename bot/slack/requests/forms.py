"""The requests feature's forms: the reject and new-subaccount modals (and reading the
latter), and a request as asked carried in the value of the button that confirms a repeat."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

from slack_sdk.models.blocks import (
    CheckboxesElement,
    InputBlock,
    Option,
    RadioButtonsElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.money import InvalidAmount, parse_user_amount
from bot.partner.models import Product, SubaccountType
from bot.services.requests import MAX_REASON, Action, Ask, NewSubaccount, RequestSnapshot
from bot.slack.blocks import fit, form_state, form_text, text_input
from bot.slack.minted import record_number
from bot.slack.requests import texts as text
from bot.slack.requests.views import CREATE_CALLBACK, REJECT_CALLBACK, what
from bot.slack.views.modal import modal_title

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def reject_title(number: int) -> str:
    return modal_title(
        text.REJECT_TITLE.format(id=number),
        text.REJECT_TITLE_SHORT.format(id=number),
        str(text.REJECT_TITLE_BARE),
    )


def reject_modal(request: RequestSnapshot, origin: dict[str, str]) -> View:
    return View(
        type="modal",
        callback_id=REJECT_CALLBACK,
        title=reject_title(request.number),
        submit=str(text.REJECT_SUBMIT),
        close=str(text.REJECT_CLOSE),
        private_metadata=json.dumps({"request": request.number, **origin}),
        blocks=[
            SectionBlock(text=fit(what(request))),
            text_input("reason", str(text.REJECT_LABEL), max_length=MAX_REASON, multiline=True),
        ],
    )


def create_title(product: Product) -> str:
    return modal_title(text.CREATE_TITLE.format(product=product.label.split()[0]))


def create_modal(product: Product) -> View:
    return View(
        type="modal",
        callback_id=CREATE_CALLBACK,
        title=create_title(product),
        submit=str(text.CREATE_SUBMIT),
        close=str(text.CREATE_CLOSE),
        private_metadata=json.dumps({"product": product.value}),
        blocks=[
            InputBlock(
                block_id="type",
                label=str(text.CREATE_TYPE),
                element=RadioButtonsElement(
                    action_id="type",
                    options=[
                        Option(value="simple", label=str(text.CREATE_TYPE_SIMPLE)),
                        Option(value="advanced", label=str(text.CREATE_TYPE_ADVANCED)),
                    ],
                    initial_option=Option(value="simple", label=str(text.CREATE_TYPE_SIMPLE)),
                ),
            ),
            text_input(
                "email",
                str(text.CREATE_EMAIL),
                max_length=254,
                optional=True,
                hint=str(text.CREATE_EMAIL_HINT),
            ),
            InputBlock(
                block_id="is_buyer",
                label=str(text.CREATE_BUYER),
                optional=True,
                element=CheckboxesElement(
                    action_id="is_buyer",
                    options=[Option(value="yes", label=str(text.CREATE_BUYER_YES))],
                ),
            ),
            text_input("firstname", str(text.CREATE_FIRSTNAME), max_length=100, optional=True),
            text_input("lastname", str(text.CREATE_LASTNAME), max_length=100, optional=True),
            text_input(
                "credit",
                str(text.CREATE_CREDIT),
                max_length=30,
                optional=True,
                hint=str(text.CREATE_CREDIT_HINT),
            ),
            text_input("reason", str(text.CREATE_REASON), max_length=MAX_REASON, optional=True),
        ],
    )


def ask_value(ask: Ask) -> dict[str, Any]:
    """A request as asked, for the value of the button that confirms it (as JSON)."""
    value: dict[str, Any] = {"a": ask.action.value, "p": ask.product.value}
    if ask.reason:
        value["why"] = ask.reason
    if ask.ref is not None:
        value["ref"] = ask.ref
    if ask.amount is not None:
        value["amt"] = f"{ask.amount:f}"
    if ask.new is not None:
        new = ask.new
        value["new"] = {
            "kind": new.kind.value,
            "email": new.email,
            "buyer": new.is_buyer,
            "first": new.firstname,
            "last": new.lastname,
            "credit": f"{new.credit:f}" if new.credit is not None else None,
        }
    return value


def ask_from_value(text_value: str) -> tuple[Ask, int]:
    """The ask and the earlier request it was confirmed against, from a button value.
    Raises ValueError (or KeyError, TypeError) on anything else: a value is user input, and
    whatever it says is checked again by the service like a typed command; Garbled for an
    earlier request's number that was never one."""
    value = json.loads(text_value)
    new = None
    if isinstance(value.get("new"), dict):
        raw = value["new"]
        new = NewSubaccount(
            kind=SubaccountType(raw["kind"]),
            email=raw.get("email"),
            is_buyer=bool(raw.get("buyer")),
            firstname=raw.get("first"),
            lastname=raw.get("last"),
            credit=Decimal(raw["credit"]) if raw.get("credit") else None,
        )
    ask = Ask(
        action=Action(value["a"]),
        product=Product(value["p"]),
        reason=value.get("why"),
        ref=value.get("ref"),
        amount=Decimal(value["amt"]) if value.get("amt") is not None else None,
        new=new,
    )
    return ask, record_number(value["similar"], "a similar request's button")


def read_create_form(
    view: dict[str, Any],
) -> tuple[NewSubaccount | None, str | None, dict[str, str]]:
    kind_option = form_state(view, "type").get("selected_option") or {}
    kind = SubaccountType(kind_option.get("value") or "simple")
    email = form_text(view, "email")
    buyer = bool(form_state(view, "is_buyer").get("selected_options"))
    errors: dict[str, str] = {}
    if kind is SubaccountType.ADVANCED and not email:
        errors["email"] = str(text.CREATE_EMAIL_REQUIRED)
    elif email and not _EMAIL.match(email):
        errors["email"] = str(text.CREATE_EMAIL_INVALID)
    credit = None
    if form_text(view, "credit"):
        try:
            credit = parse_user_amount(form_text(view, "credit"))
        except InvalidAmount as error:
            errors["credit"] = str(error)
    if errors:
        return None, None, errors
    new = NewSubaccount(
        kind=kind,
        email=email or None,
        is_buyer=buyer,
        firstname=form_text(view, "firstname") or None,
        lastname=form_text(view, "lastname") or None,
        credit=credit,
    )
    return new, form_text(view, "reason") or None, {}
