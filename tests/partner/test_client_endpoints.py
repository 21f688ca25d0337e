"""Every endpoint of every product, against the sandbox over loopback HTTP."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.partner.client import MailClient, SmsClient, VoiceClient
from bot.partner.models import Product, SubaccountType, VoiceDuration
from bot.partner.transport import PartnerTransport
from devkit.sandbox import DEMO_MAIL_KEY, DEMO_SMS_KEY, Sandbox
from tests.partner.scripted import ScriptedServer

KEY = "scripted-key-0123456789"


async def test_sms_me_reads_balance_and_counters(sms: SmsClient, sandbox: Sandbox) -> None:
    account = await sms.me()
    main = sandbox.accounts[DEMO_SMS_KEY]
    assert account.balance == main.balance == Decimal("10225.119")
    assert account.currency == "EUR"
    assert account.user.username == main.username
    assert all(
        isinstance(n, int) and n >= 0
        for n in (account.credit_sms, account.credit_sms_eco, account.credit_hlr, account.to_send)
    )
    assert account.credit_sms > 0


async def test_mail_me_reads_balance_and_counter(mail: MailClient) -> None:
    account = await mail.me()
    assert account.product is Product.MAIL
    assert isinstance(account.balance, Decimal) and account.balance > 0
    assert account.credit_mail > 0


async def test_voice_me_reads_its_own_shape(voice: VoiceClient, sandbox: Sandbox) -> None:
    account = await voice.me()
    assert account.currency == "EUR"  # the vendor writes "€"
    assert isinstance(account.balance, Decimal)
    assert isinstance(account.tts, VoiceDuration)
    [call] = sandbox.calls(product=Product.VOICE)
    assert call.endpoint == "/me"


async def test_voice_sends_the_key_in_the_path_not_the_query(
    scripted: ScriptedServer, transport: PartnerTransport
) -> None:
    scripted.answer(
        body={
            "success": True,
            "credit": "19",
            "currency": "€",
            "details": {"tts": {"h": 5, "m": 55, "s": 66}, "voice": {"message": 10}},
        }
    )
    account = await VoiceClient(transport, KEY, scripted.url + "/v1").me()
    assert account.balance == Decimal("19")
    assert account.voice_messages == 10
    assert account.tts_fixe is None
    [received] = scripted.received
    assert received.path == f"/v1/me/{KEY}"
    assert "apiKey" not in received.query


async def test_sms_me_accepts_the_older_low_cost_counter(
    scripted: ScriptedServer, transport: PartnerTransport
) -> None:
    scripted.answer(
        text='{"success":true,"code":200,"user":{"username":"a@b.c"},'
        '"credits":{"creditSms":5,"creditSmsLowCost":444570,"creditHlr":1,'
        '"toSend":0,"currency":"EUR","balance":"10225.119"}}'
    )
    account = await SmsClient(transport, KEY, scripted.url).me()
    assert account.credit_sms_eco == 444570
    assert account.user.firstname is None
    assert scripted.received[0].query["apiKey"] == KEY


async def test_money_arrives_exact_from_strings_and_numbers(
    scripted: ScriptedServer, transport: PartnerTransport
) -> None:
    client = SmsClient(transport, KEY, scripted.url)
    scripted.answer(
        text='{"success":true,"code":200,"total":1,"nb_per_page":20,"page":1,'
        '"data":[{"id":2,"email":"e","type":"simple","token":"t2",'
        '"apiKey":"sub-secret","createdAt":"2016-03-04 11:23:14",'
        '"credits":{"balance":"10.245","currency":"EUR"}}]}'
    )
    scripted.answer(
        text='{"success":true,"code":200,"credit":2869.2,"subaccountCredit":61.8,"currency":"EUR"}'
    )
    page = await client.list_subaccounts()
    move = await client.add_credit("t2", Decimal("0.1"))
    assert page.items[0].balance == Decimal("10.245")
    assert str(page.items[0].balance) == "10.245"
    assert move.main_balance == Decimal("2869.2") and str(move.main_balance) == "2869.2"
    assert move.subaccount_balance == Decimal("61.8")
    assert scripted.received[1].body["credit"] == "0.1"


async def test_list_subaccounts_one_page_without_their_keys(
    sms: SmsClient, sandbox: Sandbox
) -> None:
    page = await sms.list_subaccounts(1)
    assert (page.page, page.nb_per_page, page.total) == (1, 20, 45)
    assert len(page.items) == 20
    first = page.items[0]
    assert not hasattr(first, "api_key") and not hasattr(first, "apiKey")
    sub_keys = {sub.api_key for sub in sandbox.accounts[DEMO_SMS_KEY].subaccounts}
    assert not any(key in repr(page) for key in sub_keys)
    assert first.created_at is not None and isinstance(first.balance, Decimal)


@pytest.mark.parametrize("count", [0, 1, 20, 21, 45])
async def test_iterating_walks_every_page(
    count: int, sandbox: Sandbox, transport: PartnerTransport
) -> None:
    account = sandbox.add_account(Product.SMS, subaccounts=count)
    client = SmsClient(transport, account.api_key, sandbox.url(Product.SMS))
    found = await client.all_subaccounts()
    assert sorted(s.token for s in found) == sorted(s.token for s in account.subaccounts)
    assert len(found) == count
    pages = sorted(int(call.params["page"]) for call in sandbox.calls(endpoint="/subaccount/list"))
    assert pages == list(range(1, max(1, -(-count // 20)) + 1))  # pages 2+ side by side


async def test_mail_lists_its_subaccounts(mail: MailClient, sandbox: Sandbox) -> None:
    found = await mail.all_subaccounts()
    assert len(found) == 12
    assert sandbox.calls(product=Product.MAIL, endpoint="/subaccount/list")


async def test_create_simple_subaccount_with_initial_credit(
    sms: SmsClient, sandbox: Sandbox
) -> None:
    account = sandbox.accounts[DEMO_SMS_KEY]
    before_total, before_main = account.total(), account.balance
    created = await sms.create_subaccount(SubaccountType.SIMPLE, credit=Decimal("12.5"))
    assert created.token and created.email
    new = next(s for s in account.subaccounts if s.token == created.token)
    assert new.balance == Decimal("12.5")
    assert account.balance == before_main - Decimal("12.5")
    assert account.total() == before_total
    [call] = sandbox.calls(endpoint="/subaccount/create")
    assert call.params["type"] == "simple"
    assert call.params["parameters"]["creditToAttribute"] == "12.5"


async def test_create_advanced_sends_is_buyer_zero_explicitly(
    mail: MailClient, sandbox: Sandbox
) -> None:
    created = await mail.create_subaccount(
        "advanced",
        email="New.Client@Example.com",
        is_buyer=False,
        title="Mme",
        firstname="Ana",
        lastname="Lopez",
    )
    assert created.email == "New.Client@Example.com"
    [call] = sandbox.calls(endpoint="/subaccount/create")
    parameters = call.params["parameters"]
    assert parameters["isBuyer"] == 0
    assert parameters["firstname"] == "Ana" and parameters["lastname"] == "Lopez"
    assert any(s.token == created.token for s in sandbox.accounts[DEMO_MAIL_KEY].subaccounts)


async def test_advanced_without_email_is_refused_before_any_request(
    sms: SmsClient, sandbox: Sandbox
) -> None:
    with pytest.raises(ValueError, match="email"):
        await sms.create_subaccount(SubaccountType.ADVANCED)
    assert not sandbox.calls(endpoint="/subaccount/create")


async def test_add_and_remove_credit_report_balances_and_conserve_money(
    sms: SmsClient, sandbox: Sandbox
) -> None:
    account = sandbox.accounts[DEMO_SMS_KEY]
    sub = account.subaccounts[3]
    total, main, held = account.total(), account.balance, sub.balance

    added = await sms.add_credit(sub.token, Decimal("12.345"))
    assert added.main_balance == main - Decimal("12.345")
    assert added.subaccount_balance == held + Decimal("12.345")
    assert added.currency == "EUR"

    removed = await sms.remove_credit(sub.token, Decimal("2.345"))
    assert removed.main_balance == main - Decimal("10")
    assert removed.subaccount_balance == held + Decimal("10")
    assert account.total() == total
    assert [c.params["credit"] for c in sandbox.calls(method="POST")] == ["12.345", "2.345"]


async def test_delete_uses_the_delete_path(sms: SmsClient, sandbox: Sandbox) -> None:
    account = sandbox.accounts[DEMO_SMS_KEY]
    token = account.subaccounts[0].token
    total = account.total()
    await sms.delete_subaccount(token)
    assert all(s.token != token for s in account.subaccounts)
    assert [c.endpoint for c in sandbox.calls(method="DELETE")] == ["/subaccount/delete"]
    assert account.total() == total


async def test_delete_falls_back_to_remove_when_the_path_is_not_served(
    sandbox: Sandbox, transport: PartnerTransport
) -> None:
    account = sandbox.add_account(Product.SMS, subaccounts=2, delete_paths=("remove",))
    client = SmsClient(transport, account.api_key, sandbox.url(Product.SMS))
    kept, token = (s.token for s in account.subaccounts)
    await client.delete_subaccount(token)
    assert [s.token for s in account.subaccounts] == [kept]
    calls = sandbox.calls(method="DELETE")
    assert [(c.endpoint, c.http_status) for c in calls] == [
        ("/subaccount/delete", 404),
        ("/subaccount/remove", 200),
    ]
