"""the spend ledger: readings (48 h), hourly aggregates (36 days), detector state, incidents

Revision ID: 0016_spend_ledger
Revises: 0015_card_claims
Create Date: 2026-12-06 02:55:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_spend_ledger"
down_revision: str | None = "0015_card_claims"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ledger_readings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("product", sa.String(8), nullable=False),
        sa.Column("taken_at", sa.DateTime(), nullable=False),
        sa.Column("balances", sa.JSON(), nullable=False),
    )
    op.create_index(
        "ix_ledger_readings_team_time", "ledger_readings", ["team_id", "product", "taken_at"]
    )
    op.create_table(
        "ledger_hours",
        sa.Column("team_id", sa.String(32), primary_key=True),
        sa.Column("product", sa.String(8), primary_key=True),
        sa.Column("hour", sa.DateTime(), primary_key=True),
        sa.Column("last_at", sa.DateTime(), nullable=False),
        sa.Column("balances", sa.JSON(), nullable=False),
    )
    op.create_table(
        "anomaly_tracks",
        sa.Column("team_id", sa.String(32), primary_key=True),
        sa.Column("product", sa.String(8), primary_key=True),
        sa.Column("subaccount", sa.String(255), primary_key=True),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("read_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "anomaly_incidents",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("ref", sa.String(32), nullable=False, unique=True),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("product", sa.String(8), nullable=False),
        sa.Column("subaccount", sa.String(255), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("window", sa.String(8), nullable=False),
        sa.Column("spent", sa.BigInteger(), nullable=False),
        sa.Column("expected", sa.BigInteger(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("feedback", sa.String(16), nullable=True),
        sa.Column("feedback_by", sa.String(32), nullable=True),
        sa.Column("feedback_at", sa.DateTime(), nullable=True),
        sa.Column("feedback_applied", sa.Boolean(), nullable=False),
    )
    op.create_index(
        "ix_anomaly_incidents_subaccount", "anomaly_incidents", ["team_id", "product", "subaccount"]
    )
    op.create_table(
        "anomaly_settings",
        sa.Column("team_id", sa.String(32), primary_key=True),
        sa.Column("floor", sa.BigInteger(), nullable=False),
        sa.Column("set_by", sa.String(32), nullable=False),
        sa.Column("set_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("anomaly_settings")
    op.drop_index("ix_anomaly_incidents_subaccount", table_name="anomaly_incidents")
    op.drop_table("anomaly_incidents")
    op.drop_table("anomaly_tracks")
    op.drop_table("ledger_hours")
    op.drop_index("ix_ledger_readings_team_time", table_name="ledger_readings")
    op.drop_table("ledger_readings")
