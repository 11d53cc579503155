"""membership history and leavers

Rejoining a pod opens a new membership row, so the unique (pod_id, member_id) goes:
only one OPEN membership per pod and member. Members deactivated in Slack are marked.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-21 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = sa.text("left_at IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("pod_memberships", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("uq_pod_memberships_pod_id_member_id"), type_="unique")
    op.create_index(
        "uq_pod_memberships_open",
        "pod_memberships",
        ["pod_id", "member_id"],
        unique=True,
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    )
    op.add_column("members", sa.Column("deactivated_at", models.base.UTCDateTime(), nullable=True))


def downgrade() -> None:
    # Plain DROP COLUMN: rebuilding the referenced members table on SQLite would fire
    # the ON DELETE actions of the tables that point at it.
    op.drop_column("members", "deactivated_at")
    op.drop_index("uq_pod_memberships_open", table_name="pod_memberships")
    # Only the latest period of each person in each pod survives a downgrade.
    op.execute(
        "DELETE FROM pod_memberships WHERE id NOT IN "
        "(SELECT MAX(id) FROM pod_memberships GROUP BY pod_id, member_id)"
    )
    with op.batch_alter_table("pod_memberships", schema=None) as batch_op:
        batch_op.create_unique_constraint(
            op.f("uq_pod_memberships_pod_id_member_id"), ["pod_id", "member_id"]
        )
