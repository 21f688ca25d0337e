"""A workspace's Partner keys kept in memory for what is only shown, and the bound on how
long a key replaced through another process is still used for it."""

from __future__ import annotations

import asyncio

import pytest
from cryptography.fernet import Fernet

from bot.db.crypto import SecretBox
from bot.db.session import Database
from bot.partner.models import Product
from bot.services import partner_keys
from bot.services.partner_keys import PartnerKeys
from tests.database import statements_sent

TEAM = "T0KEPT"
ADMIN = "U0ADMIN"
BOUND = 10.0
BOX = SecretBox([Fernet.generate_key().decode()])


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def shown(keys: dict[Product, object]) -> str | None:
    key = keys.get(Product.SMS)
    return None if key is None else key.get_secret_value()  # type: ignore[attr-defined]


async def test_a_key_saved_through_another_process_is_shown_within_the_bound(
    database: Database,
) -> None:
    clock = Clock()
    here = PartnerKeys(database, BOX, kept_seconds=BOUND, clock=clock)
    other_database = Database(database.url)  # another process: its own engine and pool
    try:
        elsewhere = PartnerKeys(other_database, BOX, kept_seconds=BOUND)
        await here.save(TEAM, {Product.SMS: "sms-key-one"}, ADMIN)
        assert shown(await here.kept_keys(TEAM)) == "sms-key-one"

        await elsewhere.save(TEAM, {Product.SMS: "sms-key-two"}, ADMIN)
        clock.now += BOUND - 0.1
        assert shown(await here.kept_keys(TEAM)) == "sms-key-one"
        # Moves and decisions read the row: the new key at once.
        assert (await here.key(TEAM, Product.SMS)).get_secret_value() == "sms-key-two"  # type: ignore[union-attr]
        assert shown(await here.keys(TEAM)) == "sms-key-two"
        clock.now += 0.1
        assert shown(await here.kept_keys(TEAM)) == "sms-key-two"

        # Removed elsewhere (an uninstall): no key once the bound has passed.
        await elsewhere.forget_workspace(TEAM)
        clock.now += BOUND
        assert await here.kept_keys(TEAM) == {}
    finally:
        await other_database.dispose()


async def test_this_process_sees_its_own_change_at_once(database: Database) -> None:
    here = PartnerKeys(database, BOX, kept_seconds=BOUND, clock=Clock())
    await here.save(TEAM, {Product.SMS: "sms-key-one"}, ADMIN)
    assert shown(await here.kept_keys(TEAM)) == "sms-key-one"
    await here.save(TEAM, {Product.SMS: "sms-key-two"}, ADMIN)
    assert shown(await here.kept_keys(TEAM)) == "sms-key-two"
    await here.forget_workspace(TEAM)
    assert await here.kept_keys(TEAM) == {}
    assert here.rows_read == 3


async def test_a_read_while_a_replacement_is_uncommitted_is_not_kept(database: Database) -> None:
    """A confirmed replacement is saved in its caller's transaction: a read before the commit
    sees the old key, and must not keep it past the commit."""
    here = PartnerKeys(database, BOX, kept_seconds=BOUND, clock=Clock())
    await here.save(TEAM, {Product.SMS: "sms-key-one"}, ADMIN)
    other_database = Database(database.url)
    try:
        async with other_database.session() as session:
            await here.save_in(session, TEAM, {Product.SMS: "sms-key-two"}, ADMIN)
            await session.flush()
            # Read through this process's own pool while the write is not committed yet.
            assert shown(await here.kept_keys(TEAM)) == "sms-key-one"
        assert shown(await here.kept_keys(TEAM)) == "sms-key-two"
    finally:
        await other_database.dispose()


async def test_a_burst_reads_the_row_once(
    database: Database,
) -> None:
    clock = Clock()
    here = PartnerKeys(database, BOX, kept_seconds=BOUND, clock=clock)
    await here.save(TEAM, {Product.SMS: "sms-key-one"}, ADMIN)
    found = await asyncio.gather(*(here.kept_keys(TEAM) for _ in range(30)))
    assert {shown(keys) for keys in found} == {"sms-key-one"}
    assert here.rows_read == 1
    # Past the bound the burst reads once more, not thirty times.
    clock.now += BOUND
    await asyncio.gather(*(here.kept_keys(TEAM) for _ in range(30)))
    assert here.rows_read == 2


async def test_with_no_bound_every_read_reads_the_row(database: Database) -> None:
    here = PartnerKeys(database, BOX)  # kept_seconds=0: nothing kept
    await here.save(TEAM, {Product.SMS: "sms-key-one"}, ADMIN)
    await here.kept_keys(TEAM)
    await here.kept_keys(TEAM)
    assert here.rows_read == 2


async def test_a_workspace_without_keys_sees_its_first_ones_at_once(database: Database) -> None:
    here = PartnerKeys(database, BOX, kept_seconds=BOUND, clock=Clock())
    other_database = Database(database.url)
    try:
        assert await here.kept_keys(TEAM) == {}
        await PartnerKeys(other_database, BOX).save(TEAM, {Product.SMS: "sms-key-one"}, ADMIN)
        assert shown(await here.kept_keys(TEAM)) == "sms-key-one"
    finally:
        await other_database.dispose()


@pytest.mark.parametrize(("a_statement", "statements"), [(500, 1), (7, 3)])
async def test_workspaces_missing_at_once_are_read_together(
    database: Database, monkeypatch: pytest.MonkeyPatch, a_statement: int, statements: int
) -> None:
    """A round of digests in a process just started: twenty workspaces' keys, none kept yet,
    asked for at once, are read in one statement (of at most `TEAMS_A_STATEMENT`), and each
    workspace gets its own."""
    monkeypatch.setattr(partner_keys, "TEAMS_A_STATEMENT", a_statement)
    teams = [f"T0ROUND{n:02d}" for n in range(20)]
    for team in teams:
        await PartnerKeys(database, BOX).save(team, {Product.SMS: f"key-of-{team}"}, ADMIN)
    here = PartnerKeys(database, BOX, kept_seconds=BOUND, clock=Clock())
    with statements_sent(database) as made:
        found = await asyncio.gather(*(here.kept_keys(team) for team in [*teams, "T0NOKEYS"]))

    assert [shown(keys) for keys in found] == [*(f"key-of-{team}" for team in teams), None]
    assert len([s for s in made if "workspace_partner_keys" in s]) == statements
