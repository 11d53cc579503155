"""workspace uninstall

Workspaces that removed the app (app_uninstalled, tokens_revoked): the tick skips them
and nothing more is sent until they use the app again.

Revision ID: 0010_workspace_uninstall
Revises: 0009_matching
Create Date: 2026-12-01 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0010_workspace_uninstall"
down_revision: str | None = "0009_matching"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "workspaces",
        sa.Column("team_id", sa.String(), nullable=False),
        sa.Column("uninstalled_at", models.base.UTCDateTime(), nullable=True),
        sa.Column("uninstall_reason", sa.Text(), nullable=True),
        sa.Column("reinstalled_at", models.base.UTCDateTime(), nullable=True),
        sa.Column("updated_at", models.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("team_id", name=op.f("pk_workspaces")),
    )
    op.create_index(
        op.f("ix_workspaces_uninstalled_at"), "workspaces", ["uninstalled_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_workspaces_uninstalled_at"), table_name="workspaces")
    op.drop_table("workspaces")
