"""A person's own growth summary for a quarter (`/coach growth [QUARTER]`): the
intents they worked on, their experiments, insights, kudos received and the sessions
they attended or coached. Only ever the asker's rows: there is no way to name
someone else, and being an admin adds nothing.

The quarter is read on the person's own calendar (their timezone); the current one
counts up to now."""

from __future__ import annotations

import re
from datetime import datetime, time

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import Session, aliased

from bot.services import members
from bot.services.refusals import Refusal
from bot.services.review import NotAQuarter, parse_quarter, quarter_of
from bot.services.sessions import held_clause
from models import (
    CheckIn,
    Experiment,
    ExperimentStatus,
    Kudos,
    Member,
    Pod,
    PodSession,
    Reflection,
    SessionStatus,
)
from models.growth_views import (
    GrowthExperiment,
    GrowthInsight,
    GrowthIntent,
    GrowthKudos,
    GrowthSession,
    GrowthSummary,
)
from models.velocity_views import Quarter

USAGE = "growth"
_MENTION = re.compile(r"<[@!]|(?:^|\s)@\w")


class OnlyYours(Refusal):
    """Someone was named: a growth summary is only ever the asker's own."""


def requested_quarter(args: str) -> Quarter | None:
    """The quarter asked for (None: the current one). A mention or anything that is
    not a quarter is refused with the usage."""
    if _MENTION.search(args):
        raise OnlyYours("Growth summaries are only ever for yourself.", usage=USAGE)
    if not args.strip():
        return None
    try:
        return parse_quarter(args)
    except NotAQuarter as refusal:
        raise NotAQuarter(refusal.message, usage=USAGE) from None


def growth_summary(
    tx: Session, team_id: str, user_id: str, quarter: Quarter | None, now: datetime
) -> GrowthSummary:
    member = members.find(tx, team_id, user_id)
    zone = members.zone_of(member)
    chosen = quarter or quarter_of(now.astimezone(zone).date())
    start = datetime.combine(chosen.start, time(0), tzinfo=zone)
    quarter_end = datetime.combine(chosen.end, time(0), tzinfo=zone)
    summary = GrowthSummary(
        quarter=chosen,
        display_name=member.name if member is not None else user_id,
        tz=member.tz if member is not None else "UTC",
        until=now if start <= now < quarter_end else None,
        not_started=now < start,
    )
    if member is None or summary.not_started:
        return summary
    end = min(now, quarter_end)
    return GrowthSummary(
        quarter=summary.quarter,
        display_name=summary.display_name,
        tz=summary.tz,
        until=summary.until,
        not_started=False,
        intents=_intents(tx, member, start, quarter_end),
        experiments=_experiments(tx, member, start, end),
        insights=_insights(tx, member, start, end),
        kudos=_kudos(tx, member, start, end),
        sessions=_sessions(tx, member, start, end),
    )


def _intents(
    tx: Session, member: Member, start: datetime, end: datetime
) -> tuple[GrowthIntent, ...]:
    rows = tx.execute(
        select(CheckIn.intent, Pod.name, PodSession.starts_at)
        .join(PodSession, PodSession.id == CheckIn.session_id)
        .join(Pod, Pod.id == PodSession.pod_id)
        .where(
            CheckIn.member_id == member.id,
            PodSession.starts_at >= start,
            PodSession.starts_at < end,
        )
        .order_by(PodSession.starts_at, CheckIn.id)
    ).all()
    return tuple(GrowthIntent(intent, name, starts_at) for intent, name, starts_at in rows)


def _experiments(
    tx: Session, member: Member, start: datetime, end: datetime
) -> tuple[GrowthExperiment, ...]:
    committed = and_(Experiment.created_at >= start, Experiment.created_at < end)
    tried = and_(
        Experiment.status == ExperimentStatus.TRIED,
        Experiment.resolved_at >= start,
        Experiment.resolved_at < end,
    )
    rows = tx.scalars(
        select(Experiment)
        .where(Experiment.member_id == member.id, or_(committed, tried))
        .order_by(Experiment.created_at, Experiment.id)
    ).all()
    return tuple(
        GrowthExperiment(
            text=row.text,
            committed_at=row.created_at,
            due_date=row.due_date,
            status=str(row.status),
            resolved_at=row.resolved_at,
            outcome_note=row.outcome_note,
            committed_in_quarter=start <= row.created_at < end,
            tried_in_quarter=row.status == ExperimentStatus.TRIED
            and row.resolved_at is not None
            and start <= row.resolved_at < end,
        )
        for row in rows
    )


def _insights(
    tx: Session, member: Member, start: datetime, end: datetime
) -> tuple[GrowthInsight, ...]:
    rows = tx.execute(
        select(Reflection.insight, Reflection.action, Reflection.created_at)
        .where(
            Reflection.member_id == member.id,
            Reflection.created_at >= start,
            Reflection.created_at < end,
        )
        .order_by(Reflection.created_at, Reflection.id)
    ).all()
    return tuple(GrowthInsight(insight, action, at) for insight, action, at in rows)


def _kudos(tx: Session, member: Member, start: datetime, end: datetime) -> tuple[GrowthKudos, ...]:
    giver = aliased(Member)
    rows = tx.execute(
        select(Kudos, giver)
        .join(giver, giver.id == Kudos.giver_member_id)
        .where(
            Kudos.receiver_member_id == member.id,
            Kudos.created_at >= start,
            Kudos.created_at < end,
        )
        .order_by(Kudos.created_at, Kudos.id)
    ).all()
    return tuple(
        GrowthKudos(
            value=kudos.value,
            giver_name=who.name,
            text=kudos.text,
            given_at=kudos.created_at,
            is_private=kudos.is_private,
        )
        for kudos, who in rows
    )


def _sessions(
    tx: Session, member: Member, start: datetime, end: datetime
) -> tuple[GrowthSession, ...]:
    """Held sessions that ended in the window where the person checked in or
    reflected (attended) or was the coach (coached)."""
    attended = or_(
        exists().where(CheckIn.session_id == PodSession.id, CheckIn.member_id == member.id),
        exists().where(Reflection.session_id == PodSession.id, Reflection.member_id == member.id),
    )
    coached = PodSession.coach_member_id == member.id
    rows = tx.execute(
        select(Pod.name, PodSession.starts_at, attended, coached)
        .join(Pod, Pod.id == PodSession.pod_id)
        .where(
            PodSession.team_id == member.team_id,
            PodSession.status == SessionStatus.SCHEDULED,
            PodSession.starts_at >= start,
            PodSession.ends_at <= end,
            held_clause(),
            or_(attended, coached),
        )
        .order_by(PodSession.starts_at, PodSession.id)
    ).all()
    return tuple(
        GrowthSession(name, starts_at, bool(came), bool(was_coach))
        for name, starts_at, came, was_coach in rows
    )
