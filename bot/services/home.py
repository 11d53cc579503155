"""What a person's App Home shows: only their own sessions, experiments and
insights. A fixed number of small queries, whatever the history."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services import experiments, reflections, themes
from bot.services.checkins import find_member, member_pod_names, next_sessions_for_member
from bot.ui import home as home_ui
from models import CheckIn

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NextSession:
    pod_name: str
    starts_at: datetime
    coach_user_id: str | None
    theme_title: str | None
    checked_in: bool


@dataclass(frozen=True)
class HomeData:
    tz: str
    pods: list[str] = field(default_factory=list)
    next_sessions: list[NextSession] = field(default_factory=list)
    open_experiments: list[experiments.ExperimentView] = field(default_factory=list)
    open_experiment_count: int = 0
    resolved: list[experiments.ExperimentView] = field(default_factory=list)
    insights: list[reflections.Insight] = field(default_factory=list)


def theme_title(theme_key: str | None) -> str | None:
    if not theme_key:
        return None
    try:
        return themes.theme_title(theme_key)
    except Exception:  # content problems must not hide a person's Home
        log.warning("could not read theme %s", theme_key, exc_info=True)
        return None


def home_data(session: Session, team_id: str, user_id: str, now: datetime) -> HomeData:
    member = find_member(session, team_id, user_id)
    if member is None:
        return HomeData(tz="UTC")
    upcoming = next_sessions_for_member(session, member, now)
    checked = set(
        session.scalars(
            select(CheckIn.session_id).where(
                CheckIn.member_id == member.id,
                CheckIn.session_id.in_([info.session_id for info in upcoming] or [-1]),
            )
        )
    )
    return HomeData(
        tz=member.tz,
        pods=member_pod_names(session, member.id),
        next_sessions=[
            NextSession(
                pod_name=info.pod_name,
                starts_at=info.starts_at,
                coach_user_id=info.coach_user_id,
                theme_title=theme_title(info.theme_key),
                checked_in=info.session_id in checked,
            )
            for info in upcoming[: home_ui.SESSIONS_SHOWN]
        ],
        open_experiments=experiments.open_experiments(
            session, member.id, limit=home_ui.EXPERIMENTS_SHOWN
        ),
        open_experiment_count=experiments.count_open(session, member.id),
        resolved=experiments.recently_resolved(session, member.id, limit=3),
        insights=reflections.recent_insights(session, member.id, limit=5),
    )
