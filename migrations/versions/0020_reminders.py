"""reminders: a workspace's reminder and escalation hours, and when each waiting request was
last reminded and escalated

`/partner policy remind <hours>` and `escalate <hours>` (NULL: off). A request's
`nudging_until` is a lease taken with a conditional UPDATE by the one process sending its
reminder or escalation; `reminded_at` / `escalated_at` are set once delivered.

Revision ID: 0020_reminders
Revises: 0017_subaccount_controls
Create Date: 2026-12-06 05:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020_reminders"
down_revision: str | None = "0017_subaccount_controls"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("workspace_policies") as batch:
        batch.add_column(sa.Column("remind_hours", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("escalate_hours", sa.Integer(), nullable=True))
    with op.batch_alter_table("credit_requests") as batch:
        batch.add_column(sa.Column("reminded_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("escalated_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("nudging_until", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("credit_requests") as batch:
        batch.drop_column("nudging_until")
        batch.drop_column("escalated_at")
        batch.drop_column("reminded_at")
    with op.batch_alter_table("workspace_policies") as batch:
        batch.drop_column("escalate_hours")
        batch.drop_column("remind_hours")
