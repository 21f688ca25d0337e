"""A walk of an account's pages asks for the pages it had last time beside page 1.

Page 1 says how many pages there are; a first walk can only ask for the others after it. The
transport keeps page 1's last answer (up to an hour), so the next walk asks for pages 2 to p
at once with page 1: `ceil(p / c)` turns of the vendor's latency instead of
`1 + ceil((p - 1) / c)`. If the account shrank, the pages asked ahead that no longer exist
are dropped; if it grew, the new pages are read after page 1, as on a first walk.
"""

from __future__ import annotations

import asyncio

from bot.partner.client import SmsClient
from bot.partner.models import Product
from bot.partner.transport import PartnerTransport
from devkit.sandbox import Fault, FaultKind, Sandbox


def list_pages(sandbox: Sandbox) -> list[int]:
    return [int(call.params["page"]) for call in sandbox.calls(endpoint="/subaccount/list")]


async def test_pages_known_from_the_last_walk_are_asked_for_beside_page_1(
    sandbox: Sandbox, transport: PartnerTransport
) -> None:
    account = sandbox.add_account(Product.SMS, subaccounts=55)  # 3 pages
    client = SmsClient(transport, account.api_key, sandbox.url(Product.SMS))
    first_walk = await client.all_subaccounts(fresh=True)
    assert len(first_walk) == 55

    # Every read waits at the vendor until the test lets it go: three at once can only be
    # page 1 and the two pages after it, asked before page 1 has answered.
    release = asyncio.Event()
    sandbox.inject(Fault(FaultKind.LATENCY, endpoint="/subaccount/list", times=None, until=release))
    walk = asyncio.create_task(client.all_subaccounts(fresh=True))
    await asyncio.wait_for(sandbox.wait_in_flight(account.api_key, 3), timeout=5)
    release.set()
    second_walk = await walk
    assert second_walk == first_walk
    assert sorted(list_pages(sandbox)) == [1, 1, 2, 2, 3, 3]


async def test_pages_that_no_longer_exist_are_dropped(
    sandbox: Sandbox, transport: PartnerTransport
) -> None:
    account = sandbox.add_account(Product.SMS, subaccounts=55)
    client = SmsClient(transport, account.api_key, sandbox.url(Product.SMS))
    await client.all_subaccounts(fresh=True)
    del account.subaccounts[15:]  # one page left

    found = await client.all_subaccounts(fresh=True)

    # Pages 2 and 3 were asked for beside page 1 (they may still reach the vendor after
    # this walk is over): what page 1 says is what counts.
    assert [s.token for s in found] == [s.token for s in account.subaccounts]


async def test_pages_added_since_are_read_after_page_1(
    sandbox: Sandbox, transport: PartnerTransport
) -> None:
    account = sandbox.add_account(Product.SMS, subaccounts=25)  # 2 pages
    client = SmsClient(transport, account.api_key, sandbox.url(Product.SMS))
    await client.all_subaccounts(fresh=True)
    account.subaccounts.extend(sandbox.state.realistic_subaccounts(Product.SMS, 40))  # 4 pages

    found = await client.all_subaccounts(fresh=True)

    assert sorted(s.token for s in found) == sorted(s.token for s in account.subaccounts)
    assert sorted(list_pages(sandbox)[2:]) == [1, 2, 3, 4]
