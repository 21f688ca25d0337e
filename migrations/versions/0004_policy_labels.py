"""policy: group labels, who set the requesters rule, lock-out told

Revision ID: 0004_policy
Revises: 0003
Create Date: 2026-11-24 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_policy"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("workspace_policies") as batch:
        batch.add_column(sa.Column("requesters_usergroup_label", sa.String(255), nullable=True))
        batch.add_column(sa.Column("requesters_set_by", sa.String(32), nullable=True))
        batch.add_column(sa.Column("requesters_lockout_told_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("workspace_roles") as batch:
        batch.add_column(sa.Column("subject_label", sa.String(255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("workspace_roles") as batch:
        batch.drop_column("subject_label")
    with op.batch_alter_table("workspace_policies") as batch:
        batch.drop_column("requesters_lockout_told_at")
        batch.drop_column("requesters_set_by")
        batch.drop_column("requesters_usergroup_label")
