"""Which workspaces removed the app: their work stops until they use it again."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class Workspace(Base):
    """One row per workspace the bot heard an uninstall from. `uninstalled_at` set:
    nothing is scheduled or sent for it; cleared when the workspace uses the app again."""

    __tablename__ = "workspaces"

    team_id: Mapped[str] = mapped_column(primary_key=True)
    uninstalled_at: Mapped[datetime | None] = mapped_column(index=True)
    uninstall_reason: Mapped[str | None] = mapped_column(Text)
    reinstalled_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]
