"""setting changes waiting for an approver's confirmation (four eyes)

Revision ID: 0006_settings
Revises: 0006_secrets
Create Date: 2026-11-29 14:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_settings"
down_revision: str | None = "0006_secrets"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "setting_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("setting", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=True),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.Column("encrypted_secret", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("requested_by", sa.String(length=32), nullable=False),
        sa.Column("decided_by", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("card_channel_id", sa.String(length=32), nullable=True),
        sa.Column("card_ts", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_setting_changes_team_id", "setting_changes", ["team_id"])
    op.create_index("ix_setting_changes_status", "setting_changes", ["status"])
    op.create_index("ix_setting_changes_expires_at", "setting_changes", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_setting_changes_expires_at", table_name="setting_changes")
    op.drop_index("ix_setting_changes_status", table_name="setting_changes")
    op.drop_index("ix_setting_changes_team_id", table_name="setting_changes")
    op.drop_table("setting_changes")
