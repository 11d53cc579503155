"""Workspaces that removed the app: `app_uninstalled`, or `tokens_revoked` naming the
bot's token. From then on nothing is scheduled or sent for the team: the tick skips its
pods, and its pending outbox rows are failed with the reason "app_uninstalled" in the
same transaction that records the uninstall (the sender never picks a failed row).

Re-install: Slack delivers nothing for a workspace that has no app, so the first
request a person makes afterwards (a /coach command, a button, a modal, opening the
App Home) proves the app is back; `note_in_use` resumes the workspace. Rows failed at
the uninstall stay failed; the next tick enqueues whatever is still due by its own
windows (the skipped pods were neither enqueued nor marked).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import Connection, select, update
from sqlalchemy.orm import Session

from models import OutboxMessage, OutboxStatus, Pod, Workspace

UNINSTALLED = "app_uninstalled"


def record_uninstall(tx: Session, team_id: str, reason: str, now: datetime) -> int:
    """Marks the team uninstalled (idempotent) and fails its pending outbox rows;
    returns how many rows were failed."""
    workspace = tx.get(Workspace, team_id)
    if workspace is None:
        workspace = Workspace(team_id=team_id, updated_at=now)
        tx.add(workspace)
    if workspace.uninstalled_at is None:
        workspace.uninstalled_at = now
    workspace.uninstall_reason = reason
    workspace.updated_at = now
    tx.flush()
    return fail_pending(tx, [team_id])


def note_in_use(tx: Session | Connection, team_id: str, now: datetime) -> bool:
    """A person used the app in `team_id`: resumes it if it was uninstalled. True when
    it was resumed. Core statements, so it runs in a transaction or on its own; the
    usual case is one read (which takes no write lock on SQLite)."""
    uninstalled_at = tx.execute(
        select(Workspace.uninstalled_at).where(Workspace.team_id == team_id)
    ).scalar()
    if uninstalled_at is None:
        return False
    resumed = tx.execute(
        update(Workspace)
        .where(Workspace.team_id == team_id, Workspace.uninstalled_at.is_not(None))
        .values(uninstalled_at=None, reinstalled_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(resumed.rowcount)


def is_uninstalled(tx: Session, team_id: str) -> bool:
    workspace = tx.get(Workspace, team_id)
    return workspace is not None and workspace.uninstalled_at is not None


def uninstalled_teams(tx: Session) -> list[str]:
    return list(tx.scalars(select(Workspace.team_id).where(Workspace.uninstalled_at.is_not(None))))


def pods_outside(tx: Session, team_ids: Collection[str]) -> list[int]:
    """The ids of every pod whose workspace is not among `team_ids`."""
    return list(tx.scalars(select(Pod.id).where(Pod.team_id.not_in(list(team_ids)))))


def fail_pending(tx: Session, team_ids: Collection[str]) -> int:
    """Fails the pending outbox rows of `team_ids` with the reason "app_uninstalled"."""
    if not team_ids:
        return 0
    result = tx.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.team_id.in_(list(team_ids)),
            OutboxMessage.status == OutboxStatus.PENDING,
        )
        .values(status=OutboxStatus.FAILED, error=UNINSTALLED)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def fail_pending_of_uninstalled(tx: Session, _now: datetime | None = None) -> int:
    """The tick's last step: whatever was enqueued for an uninstalled team is failed."""
    return fail_pending(tx, uninstalled_teams(tx))
