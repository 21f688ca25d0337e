"""Schema migrations, run from code: `python -m bot db upgrade`, and `serve` at start on SQLite."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def alembic_config(url: str) -> Config:
    # Imported here: alembic logs its plugin registry at import time, which would otherwise
    # print on every start of every process, migrating or not.
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["database_url"] = url
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the schema to `revision`. Runs its own event loop: call it outside one, or via
    `upgrade_async`."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    from alembic import command

    command.downgrade(alembic_config(url), revision)


async def upgrade_async(url: str, revision: str = "head") -> None:
    # Alembic's async env runs asyncio.run(); a worker thread gives it a loop of its own.
    await asyncio.to_thread(upgrade, url, revision)
