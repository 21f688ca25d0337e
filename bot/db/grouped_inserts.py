"""Rows that many tasks of a process insert at once, inserted together (a group commit).

A round of digests records twenty readings as their walks end, within a few tens of ms. One
transaction each, they queued for SQLite's one writer, each a handful of round trips to
aiosqlite's thread on an event loop busy with the vendor's pages, so the round ended 40–80 ms
after its last page (and, before they queued in the process, 0.1 s: a writer that finds
SQLite's lock taken sleeps in its busy handler, longer each time). Here, while one insert is
under way, the rows that come meanwhile wait for it, then go in together: one transaction,
one statement for all of them. PostgreSQL gains fewer transactions. If the database refuses
such an insert, its rows are tried one by one, so a row refused fails its own caller only.

A caller that gives up before its row has gone into an insert takes the row back; once it has
gone in, the row is written whatever the caller does, and the caller stops once that insert is
over (as a commit under way would be).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from sqlalchemy import insert

from bot.db.base import Base
from bot.db.session import Database


class _Row:
    __slots__ = ("done", "values")

    def __init__(self, values: dict[str, Any], done: asyncio.Future[None]) -> None:
        self.values = values
        self.done = done


class GroupedInserts:
    def __init__(self, database: Database, table: type[Base]) -> None:
        self._database = database
        self._table = table
        self._waiting: list[_Row] = []
        self._writer: asyncio.Future[None] | None = None

    async def insert(self, values: dict[str, Any]) -> None:
        """Insert one row of the table, committed when this returns (or raise why not)."""
        row = _Row(values, asyncio.get_running_loop().create_future())
        self._waiting.append(row)
        if self._writer is None:
            self._writer = asyncio.ensure_future(self._write_while_waiting())
        try:
            await asyncio.shield(row.done)
        except asyncio.CancelledError:
            if any(waiting is row for waiting in self._waiting):
                self._waiting = [waiting for waiting in self._waiting if waiting is not row]
            else:
                # Its insert is under way: stopped only once that is over, so that whoever
                # stops this task (a process shutting down) does not close the database
                # under an insert nobody waits for. Cancelled again, it stops at once.
                with contextlib.suppress(Exception):
                    await asyncio.shield(row.done)
            raise

    async def _write_while_waiting(self) -> None:
        batch: list[_Row] = []
        try:
            while self._waiting:
                batch, self._waiting = self._waiting, []
                try:
                    await self._insert(batch)
                except Exception as error:
                    if len(batch) == 1:
                        _settle(batch, error)
                    else:
                        await self._one_by_one(batch)
                else:
                    _settle(batch, None)
                batch = []
        except BaseException as error:  # the writer itself cancelled (the process stopping)
            _settle([*batch, *self._waiting], error)
            self._waiting = []
            raise
        finally:
            self._writer = None

    async def _insert(self, rows: list[_Row]) -> None:
        async with self._database.session() as session:
            await session.execute(insert(self._table), [row.values for row in rows])

    async def _one_by_one(self, batch: list[_Row]) -> None:
        """A refused insert of several rows: each tried alone, so one row the database
        refuses fails its own caller only, as with a transaction each."""
        for row in batch:
            try:
                await self._insert([row])
            except Exception as error:
                _settle([row], error)
            else:
                _settle([row], None)


def _settle(rows: list[_Row], error: BaseException | None) -> None:
    for row in rows:
        if row.done.done():
            continue
        if error is None:
            row.done.set_result(None)
        elif isinstance(error, asyncio.CancelledError):
            row.done.cancel()
        else:
            row.done.set_exception(error)
            row.done.exception()  # retrieved: its caller may have gone
