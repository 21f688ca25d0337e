"""batch moves: a batch (one approval) and its rows, each with its own state

Revision ID: 0019_batches
Revises: 0018_recurring
Create Date: 2026-12-06 05:15:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019_batches"
down_revision: str | None = "0018_recurring"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "batches",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("product", sa.String(8), nullable=False),
        sa.Column("requester_id", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("source", sa.String(255), nullable=False),
        sa.Column("csv_text", sa.Text(), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("total_add", sa.BigInteger(), nullable=False),
        sa.Column("total_remove", sa.BigInteger(), nullable=False),
        sa.Column("main_balance_before", sa.BigInteger(), nullable=True),
        sa.Column("key_id", sa.String(64), nullable=True),
        sa.Column("approvals_needed", sa.Integer(), nullable=False),
        sa.Column("approvers", sa.JSON(), nullable=False),
        sa.Column("decided_by", sa.String(32), nullable=True),
        sa.Column("rejection_reason", sa.Text(), nullable=True),
        sa.Column("confirmed", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("runner", sa.String(32), nullable=True),
        sa.Column("runner_until", sa.DateTime(), nullable=True),
        sa.Column("card_channel_id", sa.String(32), nullable=True),
        sa.Column("card_ts", sa.String(32), nullable=True),
        sa.Column("results_sent_at", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("team_id", "number", name="uq_batches_number"),
    )
    op.create_index("ix_batches_team_id", "batches", ["team_id"])
    op.create_index("ix_batches_status", "batches", ["status"])
    op.create_index("ix_batches_team_hash", "batches", ["team_id", "content_hash"])
    op.create_table(
        "batch_rows",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("batch_id", sa.Integer(), sa.ForeignKey("batches.id"), nullable=False),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("subaccount_token", sa.String(255), nullable=False),
        sa.Column("subaccount_email", sa.String(320), nullable=False),
        sa.Column("action", sa.String(24), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("row_id", sa.String(64), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("outcome_note", sa.Text(), nullable=True),
        sa.Column("subaccount_balance_before", sa.BigInteger(), nullable=True),
        sa.Column("subaccount_balance_after", sa.BigInteger(), nullable=True),
        sa.Column("main_balance_after", sa.BigInteger(), nullable=True),
        sa.Column("executing_since", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.UniqueConstraint("batch_id", "line", name="uq_batch_rows_line"),
    )
    op.create_index("ix_batch_rows_batch_id", "batch_rows", ["batch_id"])
    op.create_index("ix_batch_rows_status", "batch_rows", ["status"])
    op.create_index("ix_batch_rows_team_row_id", "batch_rows", ["team_id", "row_id"])


def downgrade() -> None:
    op.drop_table("batch_rows")
    op.drop_table("batches")
