"""requests: a number per workspace (#1, #2… in each), so ids shown in Slack leak nothing

Revision ID: 0006_numbers
Revises: 0005
Create Date: 2026-11-29 14:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_numbers"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "request_numbering",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("team_id"),
    )
    with op.batch_alter_table("credit_requests") as batch:
        batch.add_column(sa.Column("number", sa.Integer(), nullable=True))
    # Existing requests are numbered in the order they were made, within each workspace.
    op.execute(
        """
        UPDATE credit_requests SET number = (
            SELECT count(*) FROM credit_requests AS earlier
            WHERE earlier.team_id = credit_requests.team_id AND earlier.id <= credit_requests.id
        )
        """
    )
    op.execute(
        """
        INSERT INTO request_numbering (team_id, last_number)
        SELECT team_id, max(number) FROM credit_requests GROUP BY team_id
        """
    )
    with op.batch_alter_table("credit_requests") as batch:
        batch.alter_column("number", existing_type=sa.Integer(), nullable=False)
        batch.create_unique_constraint("uq_credit_requests_number", ["team_id", "number"])


def downgrade() -> None:
    with op.batch_alter_table("credit_requests") as batch:
        batch.drop_constraint("uq_credit_requests_number", type_="unique")
        batch.drop_column("number")
    op.drop_table("request_numbering")
