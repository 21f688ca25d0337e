"""Slack tokens encrypted at rest: token columns wide enough for Fernet tokens

Revision ID: 0006_secrets
Revises: 0006_numbers
Create Date: 2026-11-29 14:45:00

The encryption itself is not done here: migrations know only the database URL (alembic runs
with no settings, from `db upgrade` in a release phase or from `serve` on SQLite), never
BOT_ENCRYPTION_KEY. Plain rows left from before are encrypted by every many-workspace process
at start (bot.db.slack_tokens.reseal_tokens: a plain token is told from a Fernet token by
its prefix, so this is idempotent) and by `python -m bot db rotate-keys`.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_secrets"
down_revision: str | None = "0006_numbers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SECRET_COLUMNS = {
    "slack_installations": (
        "bot_token",
        "bot_refresh_token",
        "user_token",
        "user_refresh_token",
        "incoming_webhook_url",
    ),
    "slack_bots": ("bot_token", "bot_refresh_token"),
}


def upgrade() -> None:
    for table, columns in SECRET_COLUMNS.items():
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.alter_column(
                    column, existing_type=sa.String(length=200), type_=sa.Text(), nullable=True
                )


def downgrade() -> None:
    # The columns stay Text: encrypted tokens do not fit String(200), and the key to decrypt
    # them is not here. Narrowing would fail (PostgreSQL) or truncate secrets; deleting the
    # installations would make every workspace reinstall. Kept as they are, a re-upgrade
    # finds them intact.
    pass
