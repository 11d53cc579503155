"""member profiles and the program's levels and skills lists

Revision ID: 0008_profiles
Revises: 0007_history_indexes
Create Date: 2026-12-01 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0008_profiles"
down_revision: str | None = "0007_history_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "member_profiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("team_name", sa.String(), nullable=False),
        sa.Column("level", sa.String(), nullable=True),
        sa.Column("offers", sa.JSON(), nullable=False),
        sa.Column("growth", sa.JSON(), nullable=False),
        sa.Column("weekdays", sa.JSON(), nullable=False),
        sa.Column("window_start", sa.Time(), nullable=True),
        sa.Column("window_end", sa.Time(), nullable=True),
        sa.Column("match_opt_in", sa.Boolean(), nullable=False),
        sa.Column("avoid_user_ids", sa.JSON(), nullable=False),
        sa.Column("focus", sa.String(), nullable=True),
        sa.Column("imported_at", models.base.UTCDateTime(), nullable=True),
        sa.Column("updated_at", models.base.UTCDateTime(), nullable=False),
        sa.Column("team_id", sa.String(), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_member_profiles_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_profiles")),
        sa.UniqueConstraint("member_id", name=op.f("uq_member_profiles_member_id")),
    )
    op.create_index(
        op.f("ix_member_profiles_team_id"), "member_profiles", ["team_id"], unique=False
    )

    op.create_table(
        "program_levels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("team_id", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_program_levels")),
        sa.UniqueConstraint("team_id", "name", name=op.f("uq_program_levels_team_id_name")),
    )
    op.create_index(op.f("ix_program_levels_team_id"), "program_levels", ["team_id"], unique=False)

    op.create_table(
        "program_skills",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("team_id", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_program_skills")),
        sa.UniqueConstraint("team_id", "name", name=op.f("uq_program_skills_team_id_name")),
    )
    op.create_index(op.f("ix_program_skills_team_id"), "program_skills", ["team_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_program_skills_team_id"), table_name="program_skills")
    op.drop_table("program_skills")
    op.drop_index(op.f("ix_program_levels_team_id"), table_name="program_levels")
    op.drop_table("program_levels")
    op.drop_index(op.f("ix_member_profiles_team_id"), table_name="member_profiles")
    op.drop_table("member_profiles")
