"""The migrations and the models tell the same story, and migrations go both ways."""

from __future__ import annotations

from datetime import datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import delete, insert, inspect, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine

from bot.db.base import Base
from bot.db.migrate import downgrade, upgrade
from bot.db.models import AuditEntry
from bot.db.session import Database


async def _differences(url: str) -> list:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(
                lambda sync: compare_metadata(
                    MigrationContext.configure(sync, opts={"compare_type": True}), Base.metadata
                )
            )
    finally:
        await engine.dispose()


async def _tables(url: str) -> set[str]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            return set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))
    finally:
        await engine.dispose()


async def test_autogenerate_finds_nothing_to_change(migrated_database_url: str) -> None:
    assert await _differences(migrated_database_url) == []


def test_upgrade_downgrade_upgrade(new_database_url: str) -> None:
    import asyncio

    url = new_database_url
    upgrade(url)
    expected = set(Base.metadata.tables)
    assert expected <= asyncio.run(_tables(url))
    downgrade(url, "base")
    assert asyncio.run(_tables(url)) & expected == set()
    upgrade(url)
    assert expected <= asyncio.run(_tables(url))
    assert asyncio.run(_differences(url)) == []


async def test_the_audit_log_refuses_updates_and_deletes(database: Database) -> None:
    async with database.session() as session:
        await session.execute(insert(AuditEntry).values(team_id="T1", action="test", details={}))
    for statement in (
        update(AuditEntry).values(action="rewritten"),
        delete(AuditEntry),
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            async with database.session() as session:
                await session.execute(statement)
    async with database.session() as session:
        assert (await session.scalars(select(AuditEntry.action))).all() == ["test"]


def test_numbers_are_backfilled_per_workspace_in_the_order_requests_were_made(
    new_database_url: str,
) -> None:
    import asyncio

    url = new_database_url
    upgrade(url, "0005")
    # Made before numbers existed, the workspaces' requests interleaved (ids 1…5).
    teams = ["T1", "T2", "T1", "T3", "T1"]
    asyncio.run(_insert_unnumbered(url, teams))
    upgrade(url)
    numbered, counters, audited = asyncio.run(_numbers(url))
    assert numbered == [(1, "T1", 1), (2, "T2", 1), (3, "T1", 2), (4, "T3", 1), (5, "T1", 3)]
    assert counters == {"T1": 3, "T2": 1, "T3": 1}
    # Old audit entries (append-only, never rewritten) are read with the number.
    assert audited == [("T1", 5, 3), ("T2", 2, 1)]
    # Going back down and up again numbers them the same way.
    downgrade(url, "0005")
    upgrade(url)
    assert asyncio.run(_numbers(url))[0] == numbered


async def _insert_unnumbered(url: str, teams: list[str]) -> None:
    from datetime import datetime

    from sqlalchemy import text

    engine = create_async_engine(url)
    at = datetime(2026, 11, 1, 12, 0)
    try:
        async with engine.begin() as connection:
            for request_id, team in enumerate(teams, 1):
                await connection.execute(
                    text(
                        "INSERT INTO credit_requests (id, team_id, product, action, status,"
                        " requester_id, details, approvals_needed, auto_approved, created_at,"
                        " expires_at, updated_at) VALUES (:id, :team, 'sms', 'credit_add',"
                        " 'pending', 'U1', '{}', 1, false, :at, :at, :at)"
                    ),
                    {"id": request_id, "team": team, "at": at},
                )
            for team, request_id in (("T1", 5), ("T2", 2)):
                await connection.execute(
                    text(
                        "INSERT INTO audit_log (team_id, at, action, request_id, details)"
                        " VALUES (:team, :at, 'request_created', :id, '{}')"
                    ),
                    {"team": team, "id": request_id, "at": at},
                )
    finally:
        await engine.dispose()


async def _numbers(
    url: str,
) -> tuple[list[tuple], dict[str, int], list[tuple]]:
    from bot.db.models import CreditRequest, RequestNumbering

    database = Database(url)
    try:
        async with database.session() as session:
            numbered = (
                await session.execute(
                    select(CreditRequest.id, CreditRequest.team_id, CreditRequest.number).order_by(
                        CreditRequest.id
                    )
                )
            ).all()
            counters = dict(
                (
                    await session.execute(
                        select(RequestNumbering.team_id, RequestNumbering.last_number)
                    )
                ).all()
            )
            audited = (await session.scalars(select(AuditEntry).order_by(AuditEntry.team_id))).all()
            return (
                [tuple(r) for r in numbered],
                counters,
                [(e.team_id, e.request_id, e.request_number) for e in audited],
            )
    finally:
        await database.dispose()


def test_what_was_stored_before_card_claims_is_owed_nothing(new_database_url: str) -> None:
    """0015: maintenance posts and tells what a dead process left owed; rows from before it
    were posted and told (or told the post had no answer) by the code of their time, so the
    upgrade must not make maintenance post a card or send a DM for them."""
    import asyncio

    url = new_database_url
    upgrade(url, "0011_home_views")
    asyncio.run(_insert_before_card_claims(url))
    upgrade(url)
    requests, changes = asyncio.run(_card_columns(url))
    at = _BEFORE.isoformat(sep=" ")
    assert requests == [
        # status, told_status, card_claimed_at, card_channel_id, card_ts
        ("pending", "pending", at, "C0APPR", "1.1"),
        ("pending", "pending", at, "C0APPR", None),  # its post had no answer: told so then
        ("succeeded", "succeeded", at, "C0APPR", "1.2"),
        ("failed", "failed", at, None, None),  # auto-approved: no card
    ]
    assert changes == [("applied", "applied", at), ("pending", "pending", at)]
    downgrade(url, "0011_home_views")
    upgrade(url)


_BEFORE = datetime(2026, 11, 1, 12, 0)


async def _insert_before_card_claims(url: str) -> None:
    from sqlalchemy import text

    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO workspace_policies (team_id, auto_approve_limit, expiry_hours,"
                    " approvals_channel_id, updated_at) VALUES ('T1', 0, 24, 'C0APPR', :at)"
                ),
                {"at": _BEFORE},
            )
            rows = [
                ("pending", "C0APPR", "1.1"),
                ("pending", None, None),
                ("succeeded", "C0APPR", "1.2"),
                ("failed", None, None),
            ]
            for number, (status, channel, ts) in enumerate(rows, 1):
                await connection.execute(
                    text(
                        "INSERT INTO credit_requests (team_id, number, product, action, status,"
                        " requester_id, details, approvals_needed, auto_approved, created_at,"
                        " expires_at, updated_at, card_channel_id, card_ts) VALUES ('T1', :n,"
                        " 'sms', 'credit_add', :status, 'U1', '{}', 1, :auto, :at, :at, :at,"
                        " :channel, :ts)"
                    ),
                    {
                        "n": number,
                        "status": status,
                        "auto": status == "failed",
                        "at": _BEFORE,
                        "channel": channel,
                        "ts": ts,
                    },
                )
            for status in ("applied", "pending"):
                await connection.execute(
                    text(
                        "INSERT INTO setting_changes (team_id, setting, status, requested_by,"
                        " created_at, expires_at) VALUES ('T1', 'auto_approve_limit', :status,"
                        " 'U1', :at, :at)"
                    ),
                    {"status": status, "at": _BEFORE},
                )
    finally:
        await engine.dispose()


async def _card_columns(url: str) -> tuple[list[tuple], list[tuple]]:
    from bot.db.models import CreditRequest, SettingChange

    database = Database(url)
    try:
        async with database.session() as session:
            requests = (
                await session.execute(
                    select(
                        CreditRequest.status,
                        CreditRequest.told_status,
                        CreditRequest.card_claimed_at,
                        CreditRequest.card_channel_id,
                        CreditRequest.card_ts,
                    ).order_by(CreditRequest.number)
                )
            ).all()
            changes = (
                await session.execute(
                    select(
                        SettingChange.status,
                        SettingChange.told_status,
                        SettingChange.card_claimed_at,
                    ).order_by(SettingChange.id)
                )
            ).all()
    finally:
        await database.dispose()
    as_text = [(*r[:2], r[2].isoformat(sep=" "), *r[3:]) for r in requests]
    return as_text, [(c[0], c[1], c[2].isoformat(sep=" ")) for c in changes]
