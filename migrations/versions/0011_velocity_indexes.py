"""velocity indexes

/coach stats and the quarterly review find who came to each session of their weeks
by (session, member): reflections get (session_id, member_id), so that lookup reads
the index alone, never the rows of a reflection history that keeps growing. It
replaces the index on session_id alone, which it serves as well.

Revision ID: 0011_velocity_indexes
Revises: 0010_workspace_uninstall
Create Date: 2026-12-01 11:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011_velocity_indexes"
down_revision: str | None = "0010_workspace_uninstall"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_reflections_session_id_member_id",
        "reflections",
        ["session_id", "member_id"],
        unique=False,
    )
    op.drop_index("ix_reflections_session_id", table_name="reflections")


def downgrade() -> None:
    op.create_index("ix_reflections_session_id", "reflections", ["session_id"], unique=False)
    op.drop_index("ix_reflections_session_id_member_id", table_name="reflections")
