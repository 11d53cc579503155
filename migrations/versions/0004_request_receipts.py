"""request receipts

The signatures of signed Slack requests already handled, so a byte-identical replay
inside Slack's five-minute window does nothing twice.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-20 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "request_receipts",
        sa.Column("signature", sa.String(), nullable=False),
        sa.Column("team_id", sa.String(), nullable=True),
        sa.Column("received_at", models.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("signature", name=op.f("pk_request_receipts")),
    )
    op.create_index(
        op.f("ix_request_receipts_received_at"), "request_receipts", ["received_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_request_receipts_received_at"), table_name="request_receipts")
    op.drop_table("request_receipts")
