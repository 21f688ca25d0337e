"""Vendor refusals: every documented code becomes a PartnerError with a clear explanation."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.money import InvalidAmount
from bot.partner.client import MailClient, SmsClient, VoiceClient
from bot.partner.errors import Endpoint, PartnerError, Reason
from bot.partner.models import Product, SubaccountType
from bot.partner.transport import PartnerTransport
from devkit.sandbox import DEMO_SMS_KEY, Sandbox
from tests.conftest import assert_no_secret
from tests.partner.scripted import ScriptedServer

KEY = "scripted-key-0123456789"

# Every code API.md documents, per endpoint, with the meaning the user must be told.
DOCUMENTED = [
    (Endpoint.ME, 10, Reason.INVALID_API_KEY),
    (Endpoint.SUBACCOUNT_LIST, 1, Reason.MISSING_API_KEY),
    (Endpoint.SUBACCOUNT_LIST, 10, Reason.INVALID_API_KEY),
    (Endpoint.SUBACCOUNT_CREATE, 1, Reason.MISSING_API_KEY),
    (Endpoint.SUBACCOUNT_CREATE, 2, Reason.NOT_AUTHORIZED),
    (Endpoint.SUBACCOUNT_CREATE, 3, Reason.MISSING_FIELD),
    (Endpoint.SUBACCOUNT_CREATE, 4, Reason.MISSING_FIELD),
    (Endpoint.SUBACCOUNT_CREATE, 5, Reason.INVALID_FIELD),
    (Endpoint.SUBACCOUNT_CREATE, 6, Reason.MISSING_FIELD),
    (Endpoint.SUBACCOUNT_CREATE, 7, Reason.DUPLICATE_EMAIL),
    (Endpoint.SUBACCOUNT_CREATE, 8, Reason.INVALID_FIELD),
    (Endpoint.SUBACCOUNT_CREATE, 9, Reason.INSUFFICIENT_CREDIT),
    (Endpoint.SUBACCOUNT_CREATE, 10, Reason.INVALID_API_KEY),
    (Endpoint.SUBACCOUNT_DELETE, 1, Reason.MISSING_FIELD),
    (Endpoint.SUBACCOUNT_DELETE, 10, Reason.INVALID_API_KEY),
    (Endpoint.SUBACCOUNT_DELETE, 404, Reason.UNKNOWN_SUBACCOUNT),
    (Endpoint.CREDIT_ADD, 1, Reason.MISSING_API_KEY),
    (Endpoint.CREDIT_ADD, 2, Reason.MISSING_FIELD),
    (Endpoint.CREDIT_ADD, 3, Reason.MISSING_FIELD),
    (Endpoint.CREDIT_ADD, 4, Reason.NOT_AUTHORIZED),
    (Endpoint.CREDIT_ADD, 5, Reason.INVALID_FIELD),
    (Endpoint.CREDIT_ADD, 6, Reason.UNKNOWN_SUBACCOUNT),
    (Endpoint.CREDIT_ADD, 7, Reason.UNKNOWN_SUBACCOUNT),
    (Endpoint.CREDIT_ADD, 8, Reason.INSUFFICIENT_CREDIT),
    (Endpoint.CREDIT_ADD, 9, Reason.INVALID_API_KEY),
    (Endpoint.CREDIT_ADD, 10, Reason.INVALID_API_KEY),
    (Endpoint.CREDIT_REMOVE, 8, Reason.INSUFFICIENT_CREDIT),
    # The vendor's global error page.
    (Endpoint.CREDIT_ADD, 11, Reason.INSUFFICIENT_CREDIT),
    (Endpoint.CREDIT_ADD, 20, Reason.ACCOUNT_DISABLED),
    (Endpoint.CREDIT_ADD, 30, Reason.ACCOUNT_BLOCKED),
    (Endpoint.CREDIT_ADD, 40, Reason.API_ACCESS_REFUSED),
    (Endpoint.CREDIT_ADD, 96, Reason.IP_NOT_ALLOWED),
    (Endpoint.ME, 2, Reason.NOT_AUTHORIZED),
    (Endpoint.ME, 11, Reason.INSUFFICIENT_CREDIT),
    (Endpoint.ME, 20, Reason.ACCOUNT_DISABLED),
    (Endpoint.ME, 30, Reason.ACCOUNT_BLOCKED),
    (Endpoint.ME, 40, Reason.API_ACCESS_REFUSED),
    (Endpoint.ME, 96, Reason.IP_NOT_ALLOWED),
]


async def _call(client: SmsClient, endpoint: Endpoint) -> object:
    if endpoint is Endpoint.ME:
        return await client.me()
    if endpoint is Endpoint.SUBACCOUNT_LIST:
        return await client.list_subaccounts()
    if endpoint is Endpoint.SUBACCOUNT_CREATE:
        return await client.create_subaccount(SubaccountType.SIMPLE)
    if endpoint is Endpoint.SUBACCOUNT_DELETE:
        return await client.delete_subaccount("tok")
    if endpoint is Endpoint.CREDIT_ADD:
        return await client.add_credit("tok", Decimal(1))
    return await client.remove_credit("tok", Decimal(1))


@pytest.mark.parametrize(("endpoint", "code", "reason"), DOCUMENTED)
async def test_every_documented_code_is_explained(
    endpoint: Endpoint,
    code: int,
    reason: Reason,
    scripted: ScriptedServer,
    transport: PartnerTransport,
) -> None:
    scripted.answer(400, {"success": False, "code": code, "message": "Message du fournisseur"})
    with pytest.raises(PartnerError) as caught:
        await _call(SmsClient(transport, KEY, scripted.url), endpoint)
    error = caught.value
    assert (error.product, error.endpoint, error.code) == (Product.SMS, endpoint, code)
    assert error.reason is reason
    assert error.vendor_message == "Message du fournisseur"
    assert error.explanation.endswith(".") and len(error.explanation) > 20
    assert error.explanation in str(error) and f"code {code}" in str(error)
    assert len(scripted.received) == 1


async def test_an_undocumented_code_still_says_what_the_vendor_said(
    scripted: ScriptedServer, transport: PartnerTransport
) -> None:
    scripted.answer(200, {"success": False, "code": 77, "message": "Autre"})
    with pytest.raises(PartnerError) as caught:
        await SmsClient(transport, KEY, scripted.url).me()
    assert caught.value.reason is Reason.UNKNOWN
    assert "Autre" in str(caught.value) and "77" in str(caught.value)


async def test_validation_error_arrays_are_read(
    scripted: ScriptedServer, transport: PartnerTransport
) -> None:
    scripted.answer(
        400,
        {"success": False, "code": 6, "error": [{"elementId": "email", "message": "Email requis"}]},
    )
    with pytest.raises(PartnerError, match="Email requis") as caught:
        await SmsClient(transport, KEY, scripted.url).create_subaccount("simple")
    assert caught.value.reason is Reason.MISSING_FIELD


async def test_voice_refusal_without_code(
    scripted: ScriptedServer, transport: PartnerTransport
) -> None:
    scripted.answer(401, {"success": False, "message": "Clé API incorrecte"})
    with pytest.raises(PartnerError) as caught:
        await VoiceClient(transport, KEY, scripted.url).me()
    assert caught.value.code is None
    assert "Clé API incorrecte" in str(caught.value)
    assert_no_secret(caught.value, [KEY])


# --- the same refusals, produced for real by the sandbox ----------------------------------


@pytest.mark.parametrize("product", list(Product))
async def test_wrong_key(product: Product, sandbox: Sandbox, transport: PartnerTransport) -> None:
    client = {Product.SMS: SmsClient, Product.MAIL: MailClient, Product.VOICE: VoiceClient}[
        product
    ](transport, "wrong-key-abcdef123456", sandbox.url(product))
    with pytest.raises(PartnerError) as caught:
        await client.me()
    if product is not Product.VOICE:
        assert caught.value.code == 10
    assert caught.value.reason in (Reason.INVALID_API_KEY, Reason.UNKNOWN)
    assert_no_secret(caught.value, ["wrong-key-abcdef123456"])


async def test_unknown_token(sms: SmsClient, sandbox: Sandbox) -> None:
    with pytest.raises(PartnerError) as caught:
        await sms.add_credit("no-such-token", Decimal(5))
    assert caught.value.reason is Reason.UNKNOWN_SUBACCOUNT
    with pytest.raises(PartnerError) as caught:
        await sms.delete_subaccount("no-such-token")
    assert caught.value.code == 404 and caught.value.reason is Reason.UNKNOWN_SUBACCOUNT
    # A vendor 404 is an answer about the subaccount, not about the path: no fallback.
    assert len(sandbox.calls(method="DELETE")) == 1


async def test_insufficient_credit_moves_nothing(sandbox: Sandbox, transport) -> None:
    account = sandbox.add_account(Product.SMS, balance=Decimal("5.000"), subaccounts=1)
    client = SmsClient(transport, account.api_key, sandbox.url(Product.SMS))
    sub = account.subaccounts[0]
    held = sub.balance
    with pytest.raises(PartnerError) as caught:
        await client.add_credit(sub.token, Decimal("5.001"))
    assert caught.value.reason is Reason.INSUFFICIENT_CREDIT
    with pytest.raises(PartnerError) as caught:
        await client.remove_credit(sub.token, held + Decimal("0.001"))
    assert caught.value.reason in (
        Reason.INSUFFICIENT_CREDIT,
        Reason.INSUFFICIENT_SUBACCOUNT_CREDIT,
    )
    assert (account.balance, sub.balance) == (Decimal("5.000"), held)


async def test_duplicate_email(sms: SmsClient, sandbox: Sandbox) -> None:
    existing = sandbox.accounts[DEMO_SMS_KEY].subaccounts[0].email
    with pytest.raises(PartnerError) as caught:
        await sms.create_subaccount("advanced", email=existing.upper(), is_buyer=True)
    assert caught.value.reason is Reason.DUPLICATE_EMAIL


async def test_subaccounts_not_enabled(sandbox: Sandbox, transport: PartnerTransport) -> None:
    account = sandbox.add_account(Product.MAIL, subaccounts=1, subaccounts_enabled=False)
    client = MailClient(transport, account.api_key, sandbox.url(Product.MAIL))
    with pytest.raises(PartnerError) as caught:
        await client.create_subaccount("simple")
    assert caught.value.reason is Reason.NOT_AUTHORIZED
    with pytest.raises(PartnerError) as caught:
        await client.add_credit(account.subaccounts[0].token, Decimal(1))
    assert caught.value.reason is Reason.NOT_AUTHORIZED


@pytest.mark.parametrize(
    "amount",
    [
        Decimal(0),
        Decimal(-5),
        Decimal("1.2345"),
        Decimal("NaN"),
        Decimal("Infinity"),
        1.5,
        "12",
        True,
    ],
)
async def test_bad_amounts_are_refused_before_any_request(
    amount: object, sms: SmsClient, sandbox: Sandbox
) -> None:
    token = sandbox.accounts[DEMO_SMS_KEY].subaccounts[0].token
    with pytest.raises(InvalidAmount):
        await sms.add_credit(token, amount)  # type: ignore[arg-type]
    with pytest.raises(InvalidAmount):
        await sms.remove_credit(token, amount)  # type: ignore[arg-type]
    with pytest.raises(InvalidAmount):
        await sms.create_subaccount("simple", credit=amount)  # type: ignore[arg-type]
    assert sandbox.calls(method="POST") == []


async def test_trailing_zeros_beyond_three_decimals_are_fine(
    sms: SmsClient, sandbox: Sandbox
) -> None:
    token = sandbox.accounts[DEMO_SMS_KEY].subaccounts[0].token
    await sms.add_credit(token, Decimal("1.50000"))
    assert sandbox.calls(method="POST")[0].params["credit"] == "1.5"
