"""Slack tokens at rest: sealed with the same rotating Fernet keys as Partner keys.

A stored value is either a Fernet token (always starts with `gAAAAA`: version byte 0x80,
base64) or, in rows written before encryption existed, a plain Slack token (`xoxb-`, `xoxp-`,
`xoxe…`, or a webhook URL). The prefix tells them apart without guessing: a value that looks
encrypted but opens with no configured key is an error (a key removed too early), never
"plain" — re-encrypting it would bury the token under a second layer for good.
"""

from __future__ import annotations

from sqlalchemy import select, update

from bot.db.base import SLACK_SECRET_COLUMNS
from bot.db.crypto import SecretBox
from bot.db.session import Database

_FERNET_PREFIX = "gAAAAA"


def is_sealed(value: str) -> bool:
    return value.startswith(_FERNET_PREFIX)


def seal(box: SecretBox, value: str | None) -> str | None:
    if value is None or value == "" or is_sealed(value):
        return value
    return box.encrypt(value)


def unseal(box: SecretBox, value: str | None) -> str | None:
    if value is None or value == "" or not is_sealed(value):
        return value  # a row from before encryption: sealed at the next start
    return box.decrypt(value)


async def reseal_tokens(database: Database, box: SecretBox, *, rotate: bool) -> int:
    """Encrypt every plain token left in slack_sdk's tables; with `rotate`, also re-encrypt
    every sealed one under the first key (`db rotate-keys`). Idempotent. Returns how many
    values were rewritten."""
    changed = 0
    async with database.session() as session:
        for table, names in SLACK_SECRET_COLUMNS.items():
            columns = [table.c[name] for name in names]
            rows = (await session.execute(select(table.c.id, *columns))).all()
            for row in rows:
                values: dict[str, str] = {}
                for name in names:
                    value = getattr(row, name)
                    if not value:
                        continue
                    if not is_sealed(value):
                        values[name] = box.encrypt(value)
                    elif rotate:
                        values[name] = box.rotate(value)
                if values:
                    await session.execute(
                        update(table).where(table.c.id == row.id).values(**values)
                    )
                    changed += len(values)
    return changed
