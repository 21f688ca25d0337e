"""card_claims: which process took the posting of a card, and the telling of a settlement

A request or a setting change is stored, then its card is posted in a second step; a crash in
between left it pending and unseen until it expired. The claim (a conditional UPDATE that sets
`card_claimed_at`) lets maintenance tell a card nobody took (post it) from one whose post was
under way when its process died (its outcome is unknown: never posted again). Likewise a
request's (a setting change's) settlement is stored, then its card redrawn and its requester
(asker) told: `told_status` says which status was told, so maintenance tells what a dead
process left untold, once.

Revision ID: 0015_card_claims
Revises: 0013_request_keys
Create Date: 2026-12-06 02:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_card_claims"
down_revision: str | None = "0013_request_keys"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("credit_requests", "setting_changes")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("told_status", sa.String(16), nullable=True))
        # Everything stored before was told (or not) by the code of the time: nothing is owed.
        op.execute(f"UPDATE {table} SET told_status = status")  # noqa: S608 - constant
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("card_claimed_at", sa.DateTime(), nullable=True))
        # What was stored before: whatever became of its card was settled by the code of the
        # time (posted, refused, or told as unknown), so nothing is recovered from the past.
        op.execute(f"UPDATE {table} SET card_claimed_at = created_at")  # noqa: S608 - constant
    # A request whose card post had no known outcome was told so at the time: the channel marks
    # it as told (maintenance tells the requester of a post cut short by a crash, only once).
    op.execute(
        "UPDATE credit_requests SET card_channel_id = (SELECT p.approvals_channel_id"
        " FROM workspace_policies p WHERE p.team_id = credit_requests.team_id)"
        " WHERE status = 'pending' AND card_ts IS NULL AND card_channel_id IS NULL"
    )


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("card_claimed_at")
            batch.drop_column("told_status")
