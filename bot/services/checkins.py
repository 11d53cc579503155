"""Check-ins: a member's three pillars (intent, exploration, experiment) for one session.

A check-in belongs to its author. Its intent is shown to the author's pod only
when they chose to share it; exploration and experiment are never shown to
anyone else. Submitting again edits the same check-in (one per session and
member) and the experiment it created; nothing is duplicated.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.program_content import get_content, get_scenario
from bot.services import cadence as cadence_rules
from bot.services import members, prep_updates
from bot.services.members import local_today, lock_member, member_pod_names, zone_of
from bot.services.refusals import FormProblems, Refusal
from bot.services.session_views import load_session_view, next_sessions_for_member
from models import CheckIn, Experiment, ExperimentStatus, Member, Pod, PodSession, SessionStatus
from models.program_content import Scenario
from models.session_forms import CheckInForm, parse_checkin
from models.session_views import CheckInDraft, SessionView

logger = logging.getLogger(__name__)

# A check-in stays open until the session has ended.
CHECKIN_CLOSES_AFTER_END = timedelta(0)


class CheckInRefused(Refusal):
    """This check-in can't be opened or saved (no pod, no session, too late…)."""


# --------------------------------------------------------------------- the form's content


def scenarios() -> list[Scenario]:
    """The scenarios whose prompts the form offers; none when the content is unavailable."""
    try:
        return list(get_content().scenarios)
    except Exception:  # the form works without prompts
        logger.warning("content unavailable for the check-in prompts", exc_info=True)
        return []


def known_scenario(key: str | None) -> bool:
    """Only scenario keys from the content are stored (the select offers nothing else)."""
    if not key:
        return False
    try:
        return get_scenario(get_content(), key) is not None
    except Exception:  # content problems: keep no key rather than fail the check-in
        return False


def following_session_date(tx: Session, info: SessionView, member: Member | None) -> date:
    """The date (in the member's timezone) of the pod's session after this one:
    the stored row when it is scheduled, else the next one the cadence gives."""
    later = tx.scalar(
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
        pod = tx.get(Pod, info.pod_id)
        if pod is None:  # pragma: no cover - the pod of a loaded session
            later = info.starts_at + timedelta(weeks=1)
        else:
            rhythm = cadence_rules.Cadence.of(pod)
            day = cadence_rules.following_day(
                rhythm, cadence_rules.local_date(info.starts_at, rhythm.zone)
            )
            later = cadence_rules.occurrence(rhythm, day)
    return later.astimezone(zone_of(member)).date()


# --------------------------------------------------------------------- which session


def checkin_target(tx: Session, member: Member, session_id: int, now: datetime) -> SessionView:
    """The session a member may check in for, or CheckInRefused saying why not."""
    info = load_session_view(tx, session_id, member.team_id)
    if info is None:
        raise CheckInRefused("I can't find that session any more. Try `/coach checkin`.")
    if not members.is_active_member(tx, info.pod_id, member.id):
        raise CheckInRefused(
            f"Only members of the pod *{info.pod_name}* can check in for its sessions."
        )
    if info.cancelled:
        raise CheckInRefused(
            f"This *{info.pod_name}* session was cancelled, so there's nothing to prepare. "
            "`/coach next` shows your next sessions."
        )
    if info.ends_at + CHECKIN_CLOSES_AFTER_END <= now:
        raise CheckInRefused(
            f"This *{info.pod_name}* session has already ended. "
            "Capture what you learned with `/coach reflect`."
        )
    return info


@dataclass(frozen=True)
class CheckInChoices:
    """The sessions `/coach checkin` can be for, and the reader's timezone."""

    sessions: list[SessionView]
    tz: str
    profile_stale: bool = False
    """The member's Slack profile (timezone, names) is due a refresh."""


def open_for(
    tx: Session, team_id: str, user_id: str, session_id: int | None, now: datetime
) -> CheckInDraft | CheckInChoices:
    """What `/coach checkin` (no session) or a session's button opens: the draft of the
    one session it can be for, or the choice between my pods' next sessions."""
    member = members.find(tx, team_id, user_id)
    if session_id is not None:
        return _draft_of(tx, member, session_id, now)
    if member is None:
        raise NotInAPod()
    choices = _choices_of(tx, member, now)
    if len(choices.sessions) > 1:
        return choices
    # My pods' next sessions are ones checkin_target accepts: no need to load it again.
    return _draft_for_target(tx, member, choices.sessions[0], now)


class NotInAPod(CheckInRefused):
    def __init__(self) -> None:
        super().__init__(
            "You're not in a pod yet, so there's no session to check in for. "
            "`/coach pod list` shows the pods you can join."
        )


def _choices_of(tx: Session, member: Member, now: datetime) -> CheckInChoices:
    """The sessions `/coach checkin` can be for; CheckInRefused when there is none."""
    choices = next_sessions_for_member(tx, member, now)
    if not choices and not member_pod_names(tx, member.id):
        raise NotInAPod()
    if not choices:
        raise CheckInRefused(
            "None of your pods has an upcoming session yet. "
            "I'll send you a reminder with a *Set my intent* button before the next one."
        )
    return CheckInChoices(
        sessions=choices,
        tz=member.tz or "UTC",
        profile_stale=members.needs_refresh(member, now),
    )


def draft_for(
    tx: Session, team_id: str, user_id: str, session_id: int, now: datetime
) -> CheckInDraft:
    return _draft_of(tx, members.find(tx, team_id, user_id), session_id, now)


def _draft_of(tx: Session, member: Member | None, session_id: int, now: datetime) -> CheckInDraft:
    if member is None:
        raise CheckInRefused("Only members of this pod can check in for its sessions.")
    return _draft_for_target(tx, member, checkin_target(tx, member, session_id, now), now)


def _draft_for_target(
    tx: Session, member: Member, target: SessionView, now: datetime
) -> CheckInDraft:
    found = tx.execute(
        select(CheckIn, Experiment)
        .outerjoin(Experiment, Experiment.checkin_id == CheckIn.id)
        .where(CheckIn.session_id == target.session_id, CheckIn.member_id == member.id)
        .order_by(Experiment.id)
        .limit(1)
    ).first()
    checkin, experiment = found if found is not None else (None, None)
    today = local_today(member, now)
    due = experiment.due_date if experiment is not None else None
    if due is None or due < today:
        due = max(following_session_date(tx, target, member), today)
    return CheckInDraft(
        target=target,
        intent=checkin.intent if checkin else "",
        exploration=checkin.exploration if checkin else "",
        experiment=experiment.text if experiment else "",
        due_date=due,
        share=checkin.share_intent if checkin else True,
        scenario_key=checkin.scenario_key if checkin else None,
        member_tz=member.tz,
        is_edit=checkin is not None,
        sensitive=checkin.sensitive if checkin else False,
        profile_stale=members.needs_refresh(member, now),
    )


# --------------------------------------------------------------------- saving


@dataclass(frozen=True)
class CheckInSaved:
    checkin_id: int
    experiment_id: int | None
    created: bool
    changed: bool
    target: SessionView
    prep_refresh: prep_updates.PrepRefresh | None = None
    """The prep message and coach brief to update with the intents shared now."""


def submit_checkin(
    tx: Session,
    team_id: str,
    user_id: str,
    session_id: int,
    fields: dict[str, Any],
    now: datetime,
) -> CheckInSaved:
    """Validate the form in the author's timezone and save it (insert or edit).

    Raises FormProblems for the form's inline errors and CheckInRefused when
    the session can no longer take a check-in. Nothing is written unless
    everything is valid.
    """
    member = members.find(tx, team_id, user_id)
    if member is None:
        raise CheckInRefused(
            "Only members of this pod can check in for its sessions. Nothing was saved."
        )
    form, errors = parse_checkin(fields, local_today(member, now))
    if form is None:
        raise FormProblems(errors)
    lock_member(tx, member.id)
    try:
        target = checkin_target(tx, member, session_id, now)
    except CheckInRefused as refusal:
        raise CheckInRefused(f"{refusal.message} Nothing was saved.") from None
    saved = _save(tx, member, target, form, now)
    pod_session = tx.get(PodSession, target.session_id)
    if pod_session is None or not saved.changed:
        return saved
    return replace(saved, prep_refresh=prep_updates.pending_refresh(tx, pod_session, now))


def _save(
    tx: Session, member: Member, target: SessionView, form: CheckInForm, now: datetime
) -> CheckInSaved:
    checkin = tx.scalar(
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
        tx.add(checkin)
    else:
        before = (
            checkin.intent,
            checkin.exploration,
            checkin.share_intent,
            checkin.scenario_key,
            checkin.sensitive,
        )
    checkin.intent = form.intent
    checkin.exploration = form.exploration
    checkin.share_intent = form.share
    checkin.sensitive = form.sensitive
    scenario_key = form.scenario if known_scenario(form.scenario) else None
    checkin.scenario_key = scenario_key
    after = (form.intent, form.exploration, form.share, scenario_key, form.sensitive)
    changed = before != after
    if changed:
        checkin.updated_at = now
    tx.flush()

    experiment = tx.scalar(select(Experiment).where(Experiment.checkin_id == checkin.id))
    experiment_id: int | None = None
    if form.has_experiment:
        due = form.due_date or following_session_date(tx, target, member)
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
            tx.add(experiment)
            tx.flush()
        else:
            experiment.text = form.experiment
            experiment.due_date = due
        experiment_id = experiment.id
    elif experiment is not None and experiment.status == ExperimentStatus.OPEN:
        tx.delete(experiment)
        tx.flush()
    return CheckInSaved(
        checkin_id=checkin.id,
        experiment_id=experiment_id,
        created=created,
        changed=changed or created,
        target=target,
    )


# --------------------------------------------------------------------- forgetting


def forget_sensitive_flags(tx: Session, now: datetime) -> None:
    """Clear "asked for extra care" on the check-ins of every session that has ended:
    nothing of it outlives the session. One UPDATE, whatever the number of sessions."""
    # Correlated, from the (indexed) flagged check-ins: never a pass over every session.
    ended = select(PodSession.id).where(
        PodSession.id == CheckIn.session_id, PodSession.ends_at <= now
    )
    tx.execute(
        update(CheckIn)
        .where(CheckIn.sensitive.is_(True), ended.exists())
        .values(sensitive=False, updated_at=CheckIn.updated_at)
        .execution_options(synchronize_session=False)
    )
