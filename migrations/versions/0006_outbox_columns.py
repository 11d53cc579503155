"""outbox lookup columns and the call-started mark

Structured, indexed columns for what the code looks outbox rows up by (kind,
recipient, subject, original_key) instead of parsing key text or payload JSON;
`call_started_at` marks a row whose Slack call may have gone out;
`slack_rate_windows` holds the Retry-After windows every sender keeps; an index on
sent_at for the retention purge. Existing rows are backfilled.

Revision ID: 0006_outbox_columns
Revises: 0005
Create Date: 2026-12-01 06:10:00
"""

import json
import re
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0006_outbox_columns"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000
_KEY_KIND = re.compile(r"[A-Za-z_-]+")


def _columns(dedupe_key: str, method: str, payload: dict[str, Any]) -> dict[str, str | None]:
    """As bot.notify.outbox.outbox_columns at this revision (migrations do not import bot)."""
    found = _KEY_KIND.match(dedupe_key)
    parts = dedupe_key.split(":")
    recipient = original_key = None
    if method == "chat.update":
        original_key = payload.get("original_key") or None
    else:
        recipient = payload.get("user" if method == "chat.postEphemeral" else "channel") or None
    return {
        "kind": found.group() if found else "-",
        "recipient": str(recipient) if recipient else None,
        "subject": (parts[1] or None) if len(parts) > 1 else None,
        "original_key": str(original_key) if original_key else None,
    }


def upgrade() -> None:
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("recipient", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("subject", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("original_key", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("call_started_at", models.base.UTCDateTime(), nullable=True))
    _backfill()
    op.create_table(
        "slack_rate_windows",
        sa.Column("method", sa.String(), nullable=False),
        sa.Column("until", models.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("method", name=op.f("pk_slack_rate_windows")),
    )
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.create_index(
            "ix_outbox_messages_recipient_kind", ["recipient", "kind"], unique=False
        )
        batch_op.create_index("ix_outbox_messages_kind_subject", ["kind", "subject"], unique=False)
        batch_op.create_index("ix_outbox_messages_original_key", ["original_key"], unique=False)
        batch_op.create_index("ix_outbox_messages_sent_at", ["sent_at"], unique=False)


def _backfill() -> None:
    connection = op.get_bind()
    table = sa.table(
        "outbox_messages",
        sa.column("id", sa.Integer),
        sa.column("dedupe_key", sa.String),
        sa.column("method", sa.String),
        sa.column("payload", sa.JSON),
        sa.column("kind", sa.String),
        sa.column("recipient", sa.String),
        sa.column("subject", sa.String),
        sa.column("original_key", sa.String),
    )
    last_id = 0
    while True:
        rows = connection.execute(
            sa.select(table.c.id, table.c.dedupe_key, table.c.method, table.c.payload)
            .where(table.c.id > last_id)
            .order_by(table.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        for row in rows:
            payload = (
                row.payload if isinstance(row.payload, dict) else json.loads(row.payload or "{}")
            )
            connection.execute(
                table.update()
                .where(table.c.id == row.id)
                .values(**_columns(row.dedupe_key, row.method, payload or {}))
            )
        last_id = rows[-1].id


def downgrade() -> None:
    op.drop_table("slack_rate_windows")
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_messages_sent_at")
        batch_op.drop_index("ix_outbox_messages_original_key")
        batch_op.drop_index("ix_outbox_messages_kind_subject")
        batch_op.drop_index("ix_outbox_messages_recipient_kind")
        batch_op.drop_column("call_started_at")
        batch_op.drop_column("original_key")
        batch_op.drop_column("subject")
        batch_op.drop_column("recipient")
        batch_op.drop_column("kind")
