"""What a person's App Home shows: only their own sessions, experiments and
insights. A fixed number of small queries, whatever the history."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services import digest, experiments, members, reflection_reminders, reflections
from bot.services.session_views import next_sessions_for_member
from models import CheckIn
from models.session_views import (
    HOME_EXPERIMENTS_SHOWN,
    HOME_INSIGHTS_SHOWN,
    HOME_RESOLVED_SHOWN,
    HOME_SESSIONS_SHOWN,
    HomeData,
    NextSession,
)

__all__ = ["HomeData", "NextSession", "home_data"]


def home_data(tx: Session, team_id: str, user_id: str, now: datetime) -> HomeData:
    member = members.find(tx, team_id, user_id)
    if member is None:
        return HomeData(tz="UTC")
    upcoming = next_sessions_for_member(tx, member, now)[:HOME_SESSIONS_SHOWN]
    checked = set(
        tx.scalars(
            select(CheckIn.session_id).where(
                CheckIn.member_id == member.id,
                CheckIn.session_id.in_([info.session_id for info in upcoming] or [-1]),
            )
        )
    )
    return HomeData(
        tz=member.tz,
        pods=members.member_pod_names(tx, member.id),
        next_sessions=[
            NextSession(
                pod_name=info.pod_name,
                starts_at=info.starts_at,
                coach_user_id=info.coach_user_id,
                theme_title=info.theme_title,
                checked_in=info.session_id in checked,
            )
            for info in upcoming
        ],
        open_experiments=experiments.open_experiments(tx, member.id, limit=HOME_EXPERIMENTS_SHOWN),
        open_experiment_count=experiments.count_open(tx, member.id),
        resolved=experiments.recently_resolved(tx, member.id, limit=HOME_RESOLVED_SHOWN),
        insights=reflections.recent_insights(tx, member.id, limit=HOME_INSIGHTS_SHOWN),
        waiting_learnings=digest.waiting_learnings(tx, team_id, user_id),
        reflection_reminder=reflection_reminders.reminder_of(member),
    )
