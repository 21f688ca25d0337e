"""batch results at least once: a lease on sending them, and where they arrived

Revision ID: 0022_batch_results
Revises: 0019_batches
Create Date: 2026-12-06 06:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022_batch_results"
down_revision: str | None = "0019_batches"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Batches finished before: their results_sent_at was set when sending began, so they
    # count as sent (as they were, at most once).
    with op.batch_alter_table("batches") as batch:
        batch.add_column(sa.Column("results_until", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("results_thread_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("results_requester_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("batches") as batch:
        batch.drop_column("results_requester_at")
        batch.drop_column("results_thread_at")
        batch.drop_column("results_until")
