"""home_views: who opened the Home tab, so only their Homes are republished after a change

Revision ID: 0011_home_views
Revises: 0010_languages
Create Date: 2026-11-29 17:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_home_views"
down_revision: str | None = "0010_languages"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "home_views",
        sa.Column("team_id", sa.String(32), primary_key=True),
        sa.Column("user_id", sa.String(32), primary_key=True),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("home_views")
