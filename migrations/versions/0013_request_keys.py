"""credit_requests.key_id: the Partner key a request was made with, so it never runs with another

Revision ID: 0013_request_keys
Revises: 0011_home_views
Create Date: 2026-12-06 02:15:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_request_keys"
down_revision: str | None = "0011_home_views"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable: requests made before it was recorded carry none (see Executing.execute).
    with op.batch_alter_table("credit_requests") as batch:
        batch.add_column(sa.Column("key_id", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("credit_requests") as batch:
        batch.drop_column("key_id")
