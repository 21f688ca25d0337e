"""requests: origin key (one request per Slack form) and the similar request confirmed

Revision ID: 0005
Revises: 0004_policy
Create Date: 2026-11-29 14:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004_policy"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("credit_requests") as batch:
        batch.add_column(sa.Column("origin_key", sa.String(length=128), nullable=True))
        batch.add_column(sa.Column("similar_to", sa.Integer(), nullable=True))
        batch.create_unique_constraint("uq_credit_requests_origin_key", ["team_id", "origin_key"])


def downgrade() -> None:
    with op.batch_alter_table("credit_requests") as batch:
        batch.drop_constraint("uq_credit_requests_origin_key", type_="unique")
        batch.drop_column("similar_to")
        batch.drop_column("origin_key")
