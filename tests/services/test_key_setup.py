"""`/partner setup`'s decision, in the service (bot.services.key_setup): all keys checked
before any is saved, a refusal saves nothing, the same key again changes nothing, and a
replacement of a key in use waits for an approver (its card goes to the approvals channel)."""

from __future__ import annotations

from bot.partner.errors import PartnerFailure
from bot.partner.models import Product
from bot.runtime import Runtime
from bot.services.key_setup import check_and_save
from devkit.sandbox import DEMO_SMS_KEY, Sandbox
from tests.services.request_world import ADMIN, TEAM, People


async def key_of(runtime: Runtime, product: Product) -> str | None:
    key = await runtime.keys.key(TEAM, product)
    return None if key is None else key.get_secret_value()


async def sms_key(runtime: Runtime) -> str | None:
    return await key_of(runtime, Product.SMS)


async def test_one_refused_key_saves_none(runtime: Runtime, sandbox: Sandbox) -> None:
    other = sandbox.add_account(Product.MAIL).api_key
    before = {p: await key_of(runtime, p) for p in (Product.SMS, Product.MAIL)}
    entered = {Product.SMS: "not-a-key-anyone-issued", Product.MAIL: other}
    setup = await check_and_save(runtime, TEAM, ADMIN, entered, People())
    assert list(setup.refused) == [Product.SMS]
    assert isinstance(setup.refused[Product.SMS], PartnerFailure)
    assert (setup.saved, setup.applied, setup.proposed) == ({}, [], [])
    assert {p: await key_of(runtime, p) for p in before} == before  # the good one too


async def test_the_same_key_again_changes_nothing(runtime: Runtime, sandbox: Sandbox) -> None:
    current = await sms_key(runtime)
    assert current is not None  # the workspace runs with a key already
    setup = await check_and_save(runtime, TEAM, ADMIN, {Product.SMS: current}, People())
    assert list(setup.saved) == [Product.SMS]
    assert (setup.refused, setup.applied, setup.proposed) == ({}, [], [])


async def test_replacing_a_key_in_use_waits_for_an_approver(
    runtime: Runtime, sandbox: Sandbox
) -> None:
    replacement = sandbox.add_account(Product.SMS).api_key
    setup = await check_and_save(runtime, TEAM, ADMIN, {Product.SMS: replacement}, People())
    assert (setup.refused, setup.saved, setup.applied) == ({}, {}, [])
    [proposed] = setup.proposed
    assert proposed.channel_id == "C0APPR"
    assert str(proposed.change.subject) == Product.SMS.value
    assert await sms_key(runtime) == DEMO_SMS_KEY  # not in use until confirmed
