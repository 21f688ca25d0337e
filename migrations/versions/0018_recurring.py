"""recurring and automatic top-ups: series approved once, one run per (series, period)

Revision ID: 0018_recurring
Revises: 0021_turns
Create Date: 2026-12-06 05:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018_recurring"
down_revision: str | None = "0021_turns"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Money columns are BigInteger thousandths of a euro (bot.db.types.Money).


def upgrade() -> None:
    op.create_table(
        "recurring_series",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("product", sa.String(8), nullable=False),
        sa.Column("subaccount_token", sa.String(255), nullable=False),
        sa.Column("subaccount_email", sa.String(320)),
        sa.Column("key_id", sa.String(16)),
        sa.Column("amount", sa.BigInteger()),
        sa.Column("level", sa.BigInteger()),
        sa.Column("below", sa.BigInteger()),
        sa.Column("monthly_max", sa.BigInteger()),
        sa.Column("every", sa.String(8)),
        sa.Column("weekday", sa.Integer()),
        sa.Column("day", sa.Integer()),
        sa.Column("at_time", sa.String(5)),
        sa.Column("zone", sa.String(64)),
        sa.Column("until", sa.Date()),
        sa.Column("reason", sa.Text()),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("why", sa.String(32)),
        sa.Column("approvals_needed", sa.Integer(), nullable=False),
        sa.Column("approvers", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("starts_at", sa.DateTime()),
        sa.Column("failures_in_a_row", sa.Integer(), nullable=False),
        sa.Column("proposed", sa.JSON()),
        sa.Column("warned_period", sa.String(32)),
        sa.Column("card_channel_id", sa.String(32)),
        sa.Column("card_ts", sa.String(32)),
        sa.Column("card_claimed_at", sa.DateTime()),
        sa.Column("armed", sa.Boolean(), nullable=False),
        sa.UniqueConstraint("team_id", "number", name="uq_recurring_series_number"),
    )
    op.create_index("ix_recurring_series_team_id", "recurring_series", ["team_id"])
    op.create_index("ix_recurring_series_state", "recurring_series", ["state"])
    op.create_table(
        "recurring_runs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("series_id", sa.Integer(), sa.ForeignKey("recurring_series.id"), nullable=False),
        sa.Column("period", sa.String(32), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("request_id", sa.Integer(), sa.ForeignKey("credit_requests.id")),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("retry_at", sa.DateTime()),
        sa.Column("amount", sa.BigInteger()),
        sa.Column("note", sa.String(64)),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("series_id", "period", name="uq_recurring_runs_period"),
    )
    op.create_index("ix_recurring_runs_series_id", "recurring_runs", ["series_id"])
    op.create_index("ix_recurring_runs_state", "recurring_runs", ["state"])


def downgrade() -> None:
    op.drop_index("ix_recurring_runs_state", table_name="recurring_runs")
    op.drop_index("ix_recurring_runs_series_id", table_name="recurring_runs")
    op.drop_table("recurring_runs")
    op.drop_index("ix_recurring_series_state", table_name="recurring_series")
    op.drop_index("ix_recurring_series_team_id", table_name="recurring_series")
    op.drop_table("recurring_series")
