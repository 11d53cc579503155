"""sessions people keep

Private calendar feeds, the pulse after each session, the sensitive-topic flag on
check-ins, the weekly reflection reminder, and the calendar SEQUENCE of sessions.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-15 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "calendar_feeds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(), nullable=False),
        sa.Column("rotated_at", models.base.UTCDateTime(), nullable=True),
        sa.Column("team_id", sa.String(), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_calendar_feeds_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_feeds")),
        sa.UniqueConstraint("member_id", name=op.f("uq_calendar_feeds_member_id")),
    )
    op.create_index(op.f("ix_calendar_feeds_team_id"), "calendar_feeds", ["team_id"], unique=False)
    op.create_index(op.f("ix_calendar_feeds_token"), "calendar_feeds", ["token"], unique=True)

    op.create_table(
        "pulses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("usefulness", sa.Integer(), nullable=True),
        sa.Column(
            "pod_fit",
            sa.Enum(
                "fine",
                "different",
                name="pod_fit",
                native_enum=False,
                create_constraint=True,
                length=None,
            ),
            nullable=True,
        ),
        sa.Column("updated_at", models.base.UTCDateTime(), nullable=False),
        sa.Column("team_id", sa.String(), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(), nullable=False),
        sa.CheckConstraint("usefulness BETWEEN 1 AND 5", name=op.f("ck_pulses_usefulness_range")),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_pulses_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["pod_sessions.id"],
            name=op.f("fk_pulses_session_id_pod_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pulses")),
        sa.UniqueConstraint("session_id", "member_id", name=op.f("uq_pulses_session_id_member_id")),
    )
    op.create_index(op.f("ix_pulses_team_id"), "pulses", ["team_id"], unique=False)

    # Server defaults let existing rows upgrade in place (SQLite adds the columns
    # without rebuilding the tables).
    op.add_column(
        "checkins", sa.Column("sensitive", sa.Boolean(), server_default=sa.false(), nullable=False)
    )
    op.add_column("members", sa.Column("reflection_reminder_weekday", sa.Integer(), nullable=True))
    op.add_column("members", sa.Column("reflection_reminder_time", sa.Time(), nullable=True))
    op.add_column(
        "pod_sessions",
        sa.Column("calendar_sequence", sa.Integer(), server_default="0", nullable=False),
    )


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+): rebuilding a referenced table would fire the
    # ON DELETE actions of the tables that point at it.
    op.drop_column("pod_sessions", "calendar_sequence")
    op.drop_column("members", "reflection_reminder_time")
    op.drop_column("members", "reflection_reminder_weekday")
    op.drop_column("checkins", "sensitive")

    op.drop_index(op.f("ix_pulses_team_id"), table_name="pulses")
    op.drop_table("pulses")
    op.drop_index(op.f("ix_calendar_feeds_token"), table_name="calendar_feeds")
    op.drop_index(op.f("ix_calendar_feeds_team_id"), table_name="calendar_feeds")
    op.drop_table("calendar_feeds")
