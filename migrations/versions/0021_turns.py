"""turns: the last turn reserved per key (posts per channel), shared by every process

Revision ID: 0021_turns
Revises: 0020_reminders
Create Date: 2026-12-06 05:25:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021_turns"
down_revision: str | None = "0020_reminders"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "turns",
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("turn_at", sa.Float(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("turns")
