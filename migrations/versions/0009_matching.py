"""matching proposals and reshuffles

The admin's matching settings, each run of the matcher with its proposed pods, and
reshuffle rounds with the members who opted out of them.

Revision ID: 0009_matching
Revises: 0008_profiles
Create Date: 2026-12-01 06:25:12.455262
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0009_matching"
down_revision: str | None = "0008_profiles"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "matching_settings",
        sa.Column("team_id", sa.String(), nullable=False),
        sa.Column("target_size", sa.Integer(), nullable=False),
        sa.Column("min_size", sa.Integer(), nullable=False),
        sa.Column("max_size", sa.Integer(), nullable=False),
        sa.Column("max_level_spread", sa.Integer(), nullable=False),
        sa.Column("by_focus", sa.Boolean(), nullable=False),
        sa.Column("cadence_weeks", sa.Integer(), nullable=False),
        sa.Column("reshuffle_months", sa.Integer(), nullable=False),
        sa.Column("updated_at", models.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("team_id", name=op.f("pk_matching_settings")),
    )
    op.create_table(
        "reshuffle_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "offered",
                "announced",
                "proposed",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=None,
            ),
            nullable=False,
        ),
        sa.Column("offered_at", models.base.UTCDateTime(), nullable=False),
        sa.Column("announced_at", models.base.UTCDateTime(), nullable=True),
        sa.Column("announced_by", sa.String(), nullable=True),
        sa.Column("takes_effect_at", models.base.UTCDateTime(), nullable=True),
        sa.Column("team_id", sa.String(), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reshuffle_rounds")),
    )
    with op.batch_alter_table("reshuffle_rounds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reshuffle_rounds_team_id"), ["team_id"], unique=False)

    op.create_table(
        "match_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "pods",
                "reshuffle",
                name="kind",
                native_enum=False,
                create_constraint=True,
                length=None,
            ),
            nullable=False,
        ),
        sa.Column("requested_by", sa.String(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("week_of", models.base.UTCDateTime(), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.Column("score", sa.Double(), nullable=False),
        sa.Column("greedy_score", sa.Double(), nullable=False),
        sa.Column("unplaced", sa.JSON(), nullable=False),
        sa.Column("reshuffle_id", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.String(), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["reshuffle_id"],
            ["reshuffle_rounds.id"],
            name=op.f("fk_match_runs_reshuffle_id_reshuffle_rounds"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_match_runs")),
    )
    with op.batch_alter_table("match_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_match_runs_team_id"), ["team_id"], unique=False)

    op.create_table(
        "reshuffle_opt_outs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_reshuffle_opt_outs_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["reshuffle_rounds.id"],
            name=op.f("fk_reshuffle_opt_outs_round_id_reshuffle_rounds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reshuffle_opt_outs")),
        sa.UniqueConstraint(
            "round_id", "member_id", name=op.f("uq_reshuffle_opt_outs_round_id_member_id")
        ),
    )
    with op.batch_alter_table("reshuffle_opt_outs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reshuffle_opt_outs_team_id"), ["team_id"], unique=False
        )

    op.create_table(
        "match_proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("member_ids", sa.JSON(), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("local_time", sa.Time(), nullable=False),
        sa.Column("timezone", sa.String(), nullable=False),
        sa.Column("score", sa.Double(), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "creating",
                "accepted",
                "stale",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=None,
            ),
            nullable=False,
        ),
        sa.Column("claimed_at", models.base.UTCDateTime(), nullable=True),
        sa.Column("decided_at", models.base.UTCDateTime(), nullable=True),
        sa.Column("decided_by", sa.String(), nullable=True),
        sa.Column("pod_id", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["pod_id"],
            ["pods.id"],
            name=op.f("fk_match_proposals_pod_id_pods"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["match_runs.id"],
            name=op.f("fk_match_proposals_run_id_match_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_match_proposals")),
        sa.UniqueConstraint("run_id", "position", name=op.f("uq_match_proposals_run_id_position")),
    )
    with op.batch_alter_table("match_proposals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_match_proposals_team_id"), ["team_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("match_proposals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_match_proposals_team_id"))

    op.drop_table("match_proposals")
    with op.batch_alter_table("reshuffle_opt_outs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reshuffle_opt_outs_team_id"))

    op.drop_table("reshuffle_opt_outs")
    with op.batch_alter_table("match_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_match_runs_team_id"))

    op.drop_table("match_runs")
    with op.batch_alter_table("reshuffle_rounds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reshuffle_rounds_team_id"))

    op.drop_table("reshuffle_rounds")
    op.drop_table("matching_settings")
