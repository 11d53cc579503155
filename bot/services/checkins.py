"""Check-ins: a member's three pillars (intent, exploration, experiment) for one session.

A check-in belongs to its author. Its intent is shown to the author's pod only
when they chose to share it; exploration and experiment are never shown to
anyone else. Submitting again edits the same check-in (one per session and
member) and the experiment it created; nothing is duplicated.

Also home to the small queries the other session services share: who a member
is, whether they are in a pod, and a member-level write lock that serialises
one person's concurrent submissions on both databases.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session, aliased

from bot.content import get_content, get_scenario
from bot.services import cadence as cadence_rules
from bot.services import prep_updates
from models import (
    CheckIn,
    Experiment,
    ExperimentStatus,
    Member,
    Pod,
    PodMembership,
    PodSession,
    SessionSkip,
    SessionStatus,
)
from models.session_forms import CheckInForm, parse_checkin

# A check-in stays open until the session has ended; "We met" a little before it starts.
CHECKIN_CLOSES_AFTER_END = timedelta(0)


class Refusal(Exception):
    """A request the person cannot make right now; str() is the answer to show them."""


# --------------------------------------------------------------------- shared queries


def zone_of(member: Member | None) -> ZoneInfo:
    try:
        return ZoneInfo(member.tz if member is not None and member.tz else "UTC")
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def local_today(member: Member | None, now: datetime) -> date:
    return now.astimezone(zone_of(member)).date()


def find_member(session: Session, team_id: str, user_id: str) -> Member | None:
    return session.scalar(
        select(Member).where(Member.team_id == team_id, Member.user_id == user_id)
    )


def lock_member(session: Session, member_id: int) -> None:
    """Take a write lock on the member's row for the rest of the transaction.

    A no-op UPDATE locks the row on PostgreSQL and takes SQLite's write lock
    before anything is read, so one person's double submissions run one after
    the other and the second sees the first.
    """
    session.execute(
        update(Member)
        .where(Member.id == member_id)
        .values(user_id=Member.user_id)
        .execution_options(synchronize_session=False)
    )


def active_membership_clause(member_id: int, pod_id_column: Any) -> Any:
    return exists().where(
        PodMembership.pod_id == pod_id_column,
        PodMembership.member_id == member_id,
        PodMembership.left_at.is_(None),
    )


def is_active_member(session: Session, pod_id: int, member_id: int) -> bool:
    return bool(
        session.scalar(
            select(PodMembership.id).where(
                PodMembership.pod_id == pod_id,
                PodMembership.member_id == member_id,
                PodMembership.left_at.is_(None),
            )
        )
    )


def was_member_at(session: Session, pod_id: int, member_id: int, instant: datetime) -> bool:
    """In the pod now, or at the given instant (left since)."""
    row = session.execute(
        select(PodMembership.joined_at, PodMembership.left_at).where(
            PodMembership.pod_id == pod_id, PodMembership.member_id == member_id
        )
    ).first()
    if row is None:
        return False
    return row.left_at is None or row.left_at >= instant


@dataclass(frozen=True)
class SessionInfo:
    """One session as the person sees it: plain data, safe outside the transaction."""

    session_id: int
    pod_id: int
    pod_name: str
    starts_at: datetime
    ends_at: datetime
    status: str
    coach_user_id: str | None
    theme_key: str | None
    pod_timezone: str

    @property
    def cancelled(self) -> bool:
        return self.status == SessionStatus.CANCELLED


def session_info(pod_session: PodSession, pod: Pod, coach: Member | None) -> SessionInfo:
    return SessionInfo(
        session_id=pod_session.id,
        pod_id=pod.id,
        pod_name=pod.name,
        starts_at=pod_session.starts_at,
        ends_at=pod_session.ends_at,
        status=pod_session.status,
        coach_user_id=coach.user_id if coach is not None else None,
        theme_key=pod_session.theme_key,
        pod_timezone=pod.timezone,
    )


def load_session_info(session: Session, session_id: int, team_id: str) -> SessionInfo | None:
    coach = aliased(Member)
    row = session.execute(
        select(PodSession, Pod, coach)
        .join(Pod, Pod.id == PodSession.pod_id)
        .outerjoin(coach, coach.id == PodSession.coach_member_id)
        .where(PodSession.id == session_id, PodSession.team_id == team_id)
    ).first()
    if row is None:
        return None
    return session_info(row[0], row[1], row[2])


def next_sessions_for_member(session: Session, member: Member, now: datetime) -> list[SessionInfo]:
    """The next session of each of the member's pods that has not ended yet
    (sessions they said they will skip are passed over), soonest first."""
    coach = aliased(Member)
    skipped = exists().where(
        SessionSkip.session_id == PodSession.id, SessionSkip.member_id == member.id
    )
    rows = session.execute(
        select(PodSession, Pod, coach)
        .join(Pod, Pod.id == PodSession.pod_id)
        .outerjoin(coach, coach.id == PodSession.coach_member_id)
        .where(
            PodSession.team_id == member.team_id,
            PodSession.status == SessionStatus.SCHEDULED,
            PodSession.ends_at > now,
            Pod.archived_at.is_(None),
            active_membership_clause(member.id, Pod.id),
            ~skipped,
        )
        .order_by(PodSession.starts_at, PodSession.id)
    ).all()
    firsts: dict[int, SessionInfo] = {}
    for pod_session, pod, coach_member in rows:
        firsts.setdefault(pod.id, session_info(pod_session, pod, coach_member))
    return list(firsts.values())


def member_pod_names(session: Session, member_id: int) -> list[str]:
    return list(
        session.scalars(
            select(Pod.name)
            .join(PodMembership, PodMembership.pod_id == Pod.id)
            .where(
                PodMembership.member_id == member_id,
                PodMembership.left_at.is_(None),
                Pod.archived_at.is_(None),
            )
            .order_by(Pod.name)
        )
    )


def following_session_date(session: Session, info: SessionInfo, member: Member | None) -> date:
    """The date (in the member's timezone) of the pod's session after this one:
    the stored row when it is scheduled, else the next one the cadence gives."""
    later = session.scalar(
        select(PodSession.starts_at)
        .where(
            PodSession.pod_id == info.pod_id,
            PodSession.status == SessionStatus.SCHEDULED,
            PodSession.starts_at > info.starts_at,
        )
        .order_by(PodSession.starts_at)
        .limit(1)
    )
    if later is None:
        pod = session.get(Pod, info.pod_id)
        if pod is None:  # pragma: no cover - the pod of a loaded session
            later = info.starts_at + timedelta(weeks=1)
        else:
            rhythm = cadence_rules.Cadence.of(pod)
            day = cadence_rules.following_day(
                rhythm, cadence_rules.local_date(info.starts_at, rhythm.zone)
            )
            later = cadence_rules.occurrence(rhythm, day)
    return later.astimezone(zone_of(member)).date()


# --------------------------------------------------------------------- check-in


def known_scenario(key: str | None) -> bool:
    """Only scenario keys from the content are stored (the select offers nothing else)."""
    if not key:
        return False
    try:
        return get_scenario(get_content(), key) is not None
    except Exception:  # content problems: keep no key rather than fail the check-in
        return False


@dataclass(frozen=True)
class CheckInDraft:
    """What the check-in modal shows: the session and the values to prefill."""

    target: SessionInfo
    intent: str
    exploration: str
    experiment: str
    due_date: date
    share: bool
    scenario_key: str | None
    today: date
    member_tz: str
    is_edit: bool


def checkin_target(session: Session, member: Member, session_id: int, now: datetime) -> SessionInfo:
    """The session a member may check in for, or Refusal saying why not."""
    info = load_session_info(session, session_id, member.team_id)
    if info is None:
        raise Refusal("I can't find that session any more. Try `/coach checkin`.")
    if not is_active_member(session, info.pod_id, member.id):
        raise Refusal(f"Only members of the pod *{info.pod_name}* can check in for its sessions.")
    if info.cancelled:
        raise Refusal(
            f"This *{info.pod_name}* session was cancelled, so there's nothing to prepare. "
            "`/coach next` shows your next sessions."
        )
    if info.ends_at + CHECKIN_CLOSES_AFTER_END <= now:
        raise Refusal(
            f"This *{info.pod_name}* session has already ended. "
            "Capture what you learned with `/coach reflect`."
        )
    return info


def checkin_choices(
    session: Session, team_id: str, user_id: str, now: datetime
) -> list[SessionInfo]:
    """The sessions `/coach checkin` can be for; Refusal when there is none."""
    member = find_member(session, team_id, user_id)
    if member is None or not member_pod_names(session, member.id):
        raise Refusal(
            "You're not in a pod yet, so there's no session to check in for. "
            "`/coach pod list` shows the pods you can join."
        )
    choices = next_sessions_for_member(session, member, now)
    if not choices:
        raise Refusal(
            "None of your pods has an upcoming session yet. "
            "I'll send you a reminder with a *Set my intent* button before the next one."
        )
    return choices


def draft_for(
    session: Session, team_id: str, user_id: str, session_id: int, now: datetime
) -> CheckInDraft:
    member = find_member(session, team_id, user_id)
    if member is None:
        raise Refusal("Only members of this pod can check in for its sessions.")
    target = checkin_target(session, member, session_id, now)
    checkin = session.scalar(
        select(CheckIn).where(CheckIn.session_id == session_id, CheckIn.member_id == member.id)
    )
    experiment = (
        session.scalar(select(Experiment).where(Experiment.checkin_id == checkin.id))
        if checkin is not None
        else None
    )
    today = local_today(member, now)
    due = experiment.due_date if experiment is not None else None
    if due is None or due < today:
        due = max(following_session_date(session, target, member), today)
    return CheckInDraft(
        target=target,
        intent=checkin.intent if checkin else "",
        exploration=checkin.exploration if checkin else "",
        experiment=experiment.text if experiment else "",
        due_date=due,
        share=checkin.share_intent if checkin else True,
        scenario_key=checkin.scenario_key if checkin else None,
        today=today,
        member_tz=member.tz,
        is_edit=checkin is not None,
    )


@dataclass(frozen=True)
class CheckInSaved:
    checkin_id: int
    experiment_id: int | None
    created: bool
    changed: bool
    target: SessionInfo


@dataclass(frozen=True)
class CheckInOutcome:
    """Either inline errors ({block_id: message}) or what was saved."""

    errors: dict[str, str]
    saved: CheckInSaved | None = None


def submit_checkin(
    session: Session,
    team_id: str,
    user_id: str,
    session_id: int,
    fields: dict[str, Any],
    now: datetime,
) -> CheckInOutcome:
    """Validate the form in the author's timezone and save it (insert or edit).

    Raises Refusal when the session can no longer take a check-in. Nothing is
    written unless everything is valid.
    """
    member = find_member(session, team_id, user_id)
    if member is None:
        raise Refusal("Only members of this pod can check in for its sessions.")
    form, errors = parse_checkin(fields, local_today(member, now))
    if form is None:
        return CheckInOutcome(errors=errors)
    lock_member(session, member.id)
    target = checkin_target(session, member, session_id, now)
    saved = _save(session, member, target, form, now)
    pod_session = session.get(PodSession, target.session_id)
    if pod_session is not None and saved.changed:
        prep_updates.refresh_prep_message(session, pod_session, now)
    return CheckInOutcome(errors={}, saved=saved)


def _save(
    session: Session, member: Member, target: SessionInfo, form: CheckInForm, now: datetime
) -> CheckInSaved:
    checkin = session.scalar(
        select(CheckIn).where(
            CheckIn.session_id == target.session_id, CheckIn.member_id == member.id
        )
    )
    created = checkin is None
    before: tuple[Any, ...] | None = None
    if checkin is None:
        checkin = CheckIn(
            team_id=member.team_id,
            session_id=target.session_id,
            member_id=member.id,
            intent=form.intent,
            created_at=now,
            updated_at=now,
        )
        session.add(checkin)
    else:
        before = (checkin.intent, checkin.exploration, checkin.share_intent, checkin.scenario_key)
    checkin.intent = form.intent
    checkin.exploration = form.exploration
    checkin.share_intent = form.share
    scenario_key = form.scenario if known_scenario(form.scenario) else None
    checkin.scenario_key = scenario_key
    after = (form.intent, form.exploration, form.share, scenario_key)
    changed = before != after
    if changed:
        checkin.updated_at = now
    session.flush()

    experiment = session.scalar(select(Experiment).where(Experiment.checkin_id == checkin.id))
    experiment_id: int | None = None
    if form.has_experiment:
        due = form.due_date or following_session_date(session, target, member)
        if experiment is None:
            experiment = Experiment(
                team_id=member.team_id,
                member_id=member.id,
                session_id=target.session_id,
                checkin_id=checkin.id,
                text=form.experiment,
                due_date=due,
                status=ExperimentStatus.OPEN,
                created_at=now,
            )
            session.add(experiment)
            session.flush()
        else:
            experiment.text = form.experiment
            experiment.due_date = due
        experiment_id = experiment.id
    elif experiment is not None and experiment.status == ExperimentStatus.OPEN:
        session.delete(experiment)
        session.flush()
    return CheckInSaved(
        checkin_id=checkin.id,
        experiment_id=experiment_id,
        created=created,
        changed=changed or created,
        target=target,
    )


def shared_intents(session: Session, session_id: int) -> list[tuple[str, str]]:
    """(user_id, intent) of the check-ins whose authors shared their intent with
    the pod, in the order they were written. Nothing else is ever returned."""
    rows = session.execute(
        select(Member.user_id, CheckIn.intent)
        .join(Member, Member.id == CheckIn.member_id)
        .where(CheckIn.session_id == session_id, CheckIn.share_intent.is_(True))
        .order_by(CheckIn.created_at, CheckIn.id)
    ).all()
    return [(row.user_id, row.intent) for row in rows]


# --------------------------------------------------------------------- "We met"

WE_MET_OPENS_BEFORE_START = timedelta(minutes=15)


def mark_we_met(
    session: Session, team_id: str, user_id: str, session_id: int, now: datetime
) -> str:
    """Mark the session held ("We met"), pod members only; returns the answer."""
    member = find_member(session, team_id, user_id)
    info = load_session_info(session, session_id, team_id)
    if info is None:
        raise Refusal("I can't find that session any more.")
    if member is None or not is_active_member(session, info.pod_id, member.id):
        raise Refusal(f"Only members of the pod *{info.pod_name}* can mark its sessions as held.")
    if info.cancelled:
        raise Refusal(f"This *{info.pod_name}* session was cancelled, so it can't be held.")
    if now < info.starts_at - WE_MET_OPENS_BEFORE_START:
        raise Refusal(
            f"This *{info.pod_name}* session hasn't started yet. Press *We met* once you've met."
        )
    pod_session = session.get(PodSession, session_id, with_for_update=True)
    assert pod_session is not None
    if pod_session.held_at is not None:
        return f"Thanks! This *{info.pod_name}* session is already marked as held."
    pod_session.held_at = now
    session.flush()
    return f"Thanks! This *{info.pod_name}* session is marked as held."
