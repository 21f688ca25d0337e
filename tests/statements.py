"""Counting what the database is asked, as it sees it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from bot.db.session import Database


class SelectsOf:
    """SELECTs that read `table`, while the block runs."""

    def __init__(self, database: Database, table: str) -> None:
        self.count = 0
        self._table = table
        self._engine = database.engine.sync_engine

    def _seen(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and self._table in statement:
            self.count += 1

    def __enter__(self) -> SelectsOf:
        event.listen(self._engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *_: object) -> None:
        event.remove(self._engine, "before_cursor_execute", self._seen)
