"""subaccount controls: a frozen subaccount, a cap on its balance; longer setting subjects

Revision ID: 0017_subaccount_controls
Revises: 0016_spend_ledger
Create Date: 2026-12-06 05:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_subaccount_controls"
down_revision: str | None = "0016_spend_ledger"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "subaccount_controls",
        sa.Column("team_id", sa.String(32), primary_key=True),
        sa.Column("product", sa.String(8), primary_key=True),
        sa.Column("subaccount", sa.String(255), primary_key=True),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("frozen_at", sa.DateTime(), nullable=True),
        sa.Column("frozen_by", sa.String(32), nullable=True),
        sa.Column("cap", sa.BigInteger(), nullable=True),
        sa.Column("cap_set_by", sa.String(32), nullable=True),
        sa.Column("cap_set_at", sa.DateTime(), nullable=True),
        sa.Column("over_cap_noticed_at", sa.DateTime(), nullable=True),
    )

    # A subaccount's setting change (unfreeze, cap) names it `product:token|email`.
    with op.batch_alter_table("setting_changes") as batch:
        batch.alter_column(
            "subject", existing_type=sa.String(64), type_=sa.String(400), existing_nullable=True
        )


def downgrade() -> None:
    with op.batch_alter_table("setting_changes") as batch:
        batch.alter_column(
            "subject", existing_type=sa.String(400), type_=sa.String(64), existing_nullable=True
        )
    op.drop_table("subaccount_controls")
