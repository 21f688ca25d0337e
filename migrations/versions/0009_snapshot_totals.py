"""balance_snapshots: the subaccounts' total beside the per-subaccount balances

Trends and burn rates need only each snapshot's total; keeping it in a column lets a digest
read a week of history without decoding every subaccount of every snapshot. Older rows keep
NULL and are summed from their JSON when read.

Revision ID: 0006_snapshot_totals
Revises: 0006_settings
Create Date: 2026-11-29 15:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_snapshot_totals"
down_revision: str | None = "0006_settings"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("balance_snapshots") as batch:
        batch.add_column(sa.Column("subaccount_total", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("balance_snapshots") as batch:
        batch.drop_column("subaccount_total")
