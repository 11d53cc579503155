"""history indexes

Reads must not grow with history: the check-ins still flagged "sensitive" (a
handful) get a partial index, so tick clearing them after their session never reads
every session; experiments get (team_id, due_date), so /coach stats reads the
experiments due in its weeks, not every experiment of the team.

Revision ID: 0007_history_indexes
Revises: 0006_outbox_columns
Create Date: 2026-12-01 07:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_history_indexes"
down_revision: str | None = "0006_outbox_columns"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_experiments_team_id_due_date", "experiments", ["team_id", "due_date"], unique=False
    )
    op.create_index(
        "ix_checkins_sensitive",
        "checkins",
        ["session_id"],
        sqlite_where=sa.text("sensitive IS 1"),
        postgresql_where=sa.text("sensitive IS true"),
    )


def downgrade() -> None:
    op.drop_index("ix_checkins_sensitive", table_name="checkins")
    op.drop_index("ix_experiments_team_id_due_date", table_name="experiments")
