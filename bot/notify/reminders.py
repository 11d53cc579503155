"""The scheduled session messages as outbox rows: the prep reminder in the pod
channel, the prep DM to each attendee, the coach brief and the end-of-session DM,
built from what `bot.services.reminders.find_due` returns with the pure builders
in bot.ui.reminders."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.notify.outbox import POST_MESSAGE, Outgoing, enqueue_all
from bot.services import calendar, pulse, themes
from bot.services.reminders import (
    Due,
    SessionPeople,
    brief_key,
    end_key,
    prep_dm_key,
    prep_key,
)
from bot.ui import calendar as calendar_ui
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
    public_url: str | None = None,
) -> int:
    """Every prep and end-of-session message of `due`, in one INSERT; returns how
    many rows were added (keys enqueued before are skipped). With `public_url` the
    prep DMs carry "Add to calendar" (the session in the member's private feed)."""
    tokens: dict[int, str] = {}
    if public_url:
        tokens = calendar.feed_tokens(tx, [m for item in due.preps for m in item.attendees], now)
    messages = [
        m
        for item in due.preps
        for m in prep_messages(
            item, consent_owed, brief_questions, _calendar_urls(item, tokens, public_url)
        )
    ]
    owed = pulse.pod_question_owed(
        tx, [(item.pod_session.id, [m.id for m in item.attendees]) for item in due.ends]
    )
    messages += [m for item in due.ends for m in end_messages(item, owed)]
    return enqueue_all(tx, messages, now)


def _calendar_urls(
    item: SessionPeople, tokens: dict[int, str], public_url: str | None
) -> dict[int, str]:
    if not public_url:
        return {}
    return {
        member_id: public_url + calendar_ui.session_path(item.pod_session.id, token)
        for member_id, token in tokens.items()
    }


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
    calendar_urls: dict[int, str] | None = None,
) -> list[Outgoing]:
    """Pod channel reminder, a DM to each attendee, and the coach's brief.
    `consent_owed`: member ids whose DM carries the ground rules reminder (each
    taken out once used, so a person in two pods gets it once).
    `brief_questions`: the coach brief's suggested questions by session id.
    `calendar_urls`: by member id, the session's .ics for "Add to calendar"."""
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
                ui.prep_dm(
                    card,
                    person(member),
                    consent_reminder=remind,
                    calendar_url=(calendar_urls or {}).get(member.id),
                ),
            )
        )
    if item.coach is not None:
        questions = (brief_questions or {}).get(pod_session.id, [])
        messages.append(
            _post(
                item,
                brief_key(pod_session),
                item.coach.user_id,
                ui.coach_brief(card, person(item.coach), questions, care=item.care),
            )
        )
    return messages


def end_messages(
    item: SessionPeople, pod_question_owed: set[tuple[int, int]] | None = None
) -> list[Outgoing]:
    """The reflection prompt, with the member's open experiment and the session
    pulse, to each attendee; "how is this pod working for you?" to those whose
    (session id, member id) is in `pod_question_owed` (their first session there)."""
    owed = pod_question_owed or set()
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
                ui.end_dm(
                    item.pod_session.id,
                    item.pod.name,
                    card,
                    ask_pod_fit=(item.pod_session.id, member.id) in owed,
                ),
            )
        )
    return messages
