"""The scheduled session messages as outbox rows: the prep reminder in the pod
channel, the prep DM to each attendee, the coach brief and the end-of-session DM,
built from what `bot.services.reminders.find_due` returns with the pure builders
in bot.ui.reminders."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.notify.outbox import POST_MESSAGE, Outgoing, enqueue_all
from bot.services import themes
from bot.services.reminders import (
    Due,
    SessionPeople,
    brief_key,
    end_key,
    prep_dm_key,
    prep_key,
)
from bot.ui import reminders as ui
from models import Member


def person(member: Member) -> ui.Person:
    return ui.Person(user_id=member.user_id, tz=member.tz or "UTC")


def session_card(item: SessionPeople) -> ui.SessionCard:
    pod, pod_session = item.pod, item.pod_session
    return ui.SessionCard(
        session_id=pod_session.id,
        pod_name=pod.name,
        pod_timezone=pod.timezone,
        starts_at=pod_session.starts_at,
        duration_minutes=pod.duration_minutes,
        coach=person(item.coach) if item.coach else None,
        theme=themes.theme_title(pod_session.theme_key) if pod_session.theme_key else None,
        newcomers=tuple(
            (person(newcomer), person(buddy) if buddy else None)
            for newcomer, buddy in item.newcomers
        ),
        intents=tuple((person(member), text) for member, text in item.intents),
    )


def enqueue_due(
    tx: Session,
    due: Due,
    consent_owed: set[int],
    brief_questions: dict[int, list[str]],
    now: datetime,
) -> int:
    """Every prep and end-of-session message of `due`, in one INSERT; returns how
    many rows were added (keys enqueued before are skipped)."""
    messages = [m for item in due.preps for m in prep_messages(item, consent_owed, brief_questions)]
    messages += [m for item in due.ends for m in end_messages(item)]
    return enqueue_all(tx, messages, now)


def _post(item: SessionPeople, key: str, channel: str, message: tuple[str, list]) -> Outgoing:
    text, blocks = message
    return Outgoing(
        team_id=item.pod.team_id,
        dedupe_key=key,
        method=POST_MESSAGE,
        payload={"channel": channel, "text": text, "blocks": blocks},
    )


def prep_messages(
    item: SessionPeople,
    consent_owed: set[int] | None = None,
    brief_questions: dict[int, list[str]] | None = None,
) -> list[Outgoing]:
    """Pod channel reminder, a DM to each attendee, and the coach's brief.
    `consent_owed`: member ids whose DM carries the ground rules reminder (each
    taken out once used, so a person in two pods gets it once).
    `brief_questions`: the coach brief's suggested questions by session id."""
    if not item.attendees:
        return []
    card = session_card(item)
    pod_session = item.pod_session
    messages = []
    if item.pod.channel_id:
        messages.append(
            _post(item, prep_key(pod_session), item.pod.channel_id, ui.prep_channel(card))
        )
    owed = consent_owed if consent_owed is not None else set()
    for member in item.attendees:
        remind = member.id in owed
        owed.discard(member.id)
        messages.append(
            _post(
                item,
                prep_dm_key(pod_session, member.user_id),
                member.user_id,
                ui.prep_dm(card, person(member), consent_reminder=remind),
            )
        )
    if item.coach is not None:
        questions = (brief_questions or {}).get(pod_session.id, [])
        messages.append(
            _post(
                item,
                brief_key(pod_session),
                item.coach.user_id,
                ui.coach_brief(card, person(item.coach), questions),
            )
        )
    return messages


def end_messages(item: SessionPeople) -> list[Outgoing]:
    """The reflection prompt, with the member's open experiment, to each attendee."""
    messages = []
    for member in item.attendees:
        experiment = item.experiments.get(member.id)
        card = (
            ui.ExperimentCard(experiment.id, experiment.text, experiment.due_date)
            if experiment
            else None
        )
        messages.append(
            _post(
                item,
                end_key(item.pod_session, member.user_id),
                member.user_id,
                ui.end_dm(item.pod_session.id, item.pod.name, card),
            )
        )
    return messages
