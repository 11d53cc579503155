"""Scheduled session messages: prep reminder (pod channel and DMs), coach brief,
end-of-session DM, cancellation notice. Pure: data in, (text, blocks) out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot import ids
from bot.ui import pulse as pulse_ui
from bot.ui.blocks import (
    SECTION_TEXT_LIMIT,
    actions,
    button,
    context,
    escape,
    header,
    section,
    truncate,
)
from bot.ui.dates import local_date_time_with_zone, short_date
from bot.ui.welcome import consent_reminder_blocks
from models.session_views import CareRequests

Blocks = list[dict[str, Any]]

INTENT_CHARS = 300
"""One shared intent as shown to the pod; longer ones are cut."""
INTENTS_CHARS = SECTION_TEXT_LIMIT - 200
"""All intents of one message share one section; the rest is counted, not shown."""
OPEN_SEAT = "the coach seat is open — anyone up for it?"


@dataclass(frozen=True)
class Person:
    user_id: str
    tz: str = "UTC"


@dataclass(frozen=True)
class SessionCard:
    """What the prep messages say about one session."""

    session_id: int
    pod_name: str
    pod_timezone: str
    starts_at: datetime
    duration_minutes: int
    coach: Person | None = None
    theme: str | None = None
    newcomers: tuple[tuple[Person, Person | None], ...] = ()
    intents: tuple[tuple[Person, str], ...] = ()


@dataclass(frozen=True)
class ExperimentCard:
    experiment_id: int
    text: str
    due: date


def mention(person: Person) -> str:
    return f"<@{person.user_id}>"


def _coach_line(card: SessionCard) -> str:
    return f"*Coach:* {mention(card.coach)}" if card.coach else f"*Coach:* {OPEN_SEAT}"


def _theme_line(card: SessionCard) -> str | None:
    return f"*Theme:* {escape(card.theme)}" if card.theme else None


def _newcomer_lines(card: SessionCard) -> list[str]:
    lines = []
    for newcomer, buddy in card.newcomers:
        pairing = f"buddy {mention(buddy)}" if buddy else "first sessions here"
        lines.append(f"• {mention(newcomer)} — {pairing}")
    return lines


def intents_text(intents: tuple[tuple[Person, str], ...], title: str) -> str:
    if not intents:
        return f"{title}\n_No intents shared yet._"
    lines = [title]
    used = len(title)
    for shown, (person, intent) in enumerate(intents):
        line = f"• {mention(person)}: {escape(truncate(' '.join(intent.split()), INTENT_CHARS))}"
        if used + len(line) + 1 > INTENTS_CHARS:
            lines.append(f"_…and {len(intents) - shown} more._")
            break
        lines.append(line)
        used += len(line) + 1
    return "\n".join(lines)


def prep_channel(card: SessionCard) -> tuple[str, Blocks]:
    when = local_date_time_with_zone(card.starts_at, card.pod_timezone)
    details = [f"*When:* {when} · {card.duration_minutes} min", _coach_line(card)]
    if theme := _theme_line(card):
        details.append(theme)
    blocks: Blocks = [
        header(f"{card.pod_name} meets soon"),
        section("\n".join(details)),
    ]
    if card.newcomers:
        blocks.append(section("*Welcome to our newcomers*\n" + "\n".join(_newcomer_lines(card))))
    blocks.append(section(intents_text(card.intents, "*Intents shared so far*")))
    blocks.append(
        actions(
            button("Set my intent", ids.CHECKIN_OPEN_ACTION, str(card.session_id), style="primary"),
            button("We met", ids.WE_MET_ACTION, str(card.session_id)),
        )
    )
    blocks.append(context("Press *We met* after the session so it counts as held."))
    coach = f"coach {mention(card.coach)}" if card.coach else "coach seat open"
    return f"{escape(card.pod_name)} meets {when} — {coach}", blocks


def role_lines(card: SessionCard, person: Person) -> list[str]:
    lines = []
    if card.coach and card.coach.user_id == person.user_id:
        lines.append("*Your role:* coach — your brief is in the next message.")
    buddied = [n for n, b in card.newcomers if b and b.user_id == person.user_id]
    if buddied:
        names = ", ".join(mention(n) for n in buddied)
        lines.append(f"*Buddy for:* {names} — say hello before the session.")
    for newcomer, buddy in card.newcomers:
        if newcomer.user_id == person.user_id:
            if buddy:
                lines.append(f"*Your role:* newcomer — welcome! Your buddy is {mention(buddy)}.")
            else:
                lines.append("*Your role:* newcomer — welcome to your first sessions here!")
    if not lines:
        lines.append("*Your role:* participant")
    return lines


def prep_dm(
    card: SessionCard,
    person: Person,
    *,
    consent_reminder: bool = False,
    calendar_url: str | None = None,
) -> tuple[str, Blocks]:
    """`consent_reminder`: the person hasn't agreed to the ground rules and this is
    their first prep DM, so it carries one gentle reminder with the agree button.
    `calendar_url`: the session's .ics in the person's feed, for "Add to calendar"."""
    when = local_date_time_with_zone(card.starts_at, person.tz)
    details = [
        f"*{escape(card.pod_name)}* meets *{when}* for {card.duration_minutes} min.",
        *role_lines(card, person),
        _coach_line(card),
    ]
    if theme := _theme_line(card):
        details.append(theme)
    blocks: Blocks = [
        section("\n".join(details)),
        section(
            "Take two minutes to prepare: your *intent* (the one question you bring), "
            "what to *explore*, and the *experiment* you might try."
        ),
        actions(*prep_dm_buttons(card.session_id, calendar_url)),
    ]
    if consent_reminder:
        blocks += consent_reminder_blocks()
    return f"{escape(card.pod_name)} meets {when}. Set your intent.", blocks


def prep_dm_buttons(session_id: int, calendar_url: str | None) -> list[dict[str, Any]]:
    buttons = [button("Set my intent", ids.CHECKIN_OPEN_ACTION, str(session_id), style="primary")]
    if calendar_url:
        add = button("Add to calendar", ids.CALENDAR_ADD_SESSION_ACTION, str(session_id))
        add["url"] = calendar_url
        buttons.append(add)
    return buttons


def coach_brief(
    card: SessionCard, coach: Person, questions: list[str], care: CareRequests | None = None
) -> tuple[str, Blocks]:
    """`care`: how many members asked for extra care (never who or why), with the
    ground-rules reminder for such conversations."""
    when = local_date_time_with_zone(card.starts_at, coach.tz)
    details = [f"You coach *{escape(card.pod_name)}* on *{when}*."]
    if theme := _theme_line(card):
        details.append(theme)
    if card.newcomers:
        details.append("*Newcomers:*\n" + "\n".join(_newcomer_lines(card)))
    blocks: Blocks = [
        header("Your coach brief"),
        section("\n".join(details)),
        section(intents_text(card.intents, "*Intents so far*")),
    ]
    if care is not None and care.count > 0:
        blocks.append(section(_care_text(care)))
    if questions:
        numbered = "\n".join(
            f"{number}. {escape(truncate(q, INTENT_CHARS))}"
            for number, q in enumerate(questions, start=1)
        )
        blocks.append(section("*Questions you could ask*\n" + numbered))
    blocks.append(
        context("Open with each intent, explore before advising, close on one experiment each.")
    )
    return f"Your coach brief for {escape(card.pod_name)}, {when}", blocks


def _care_text(care: CareRequests) -> str:
    who = "One member" if care.count == 1 else f"{care.count} members"
    return truncate(
        f":shield: *{who} asked for extra care this session* (a sensitive boundary or a "
        "possible conflict of interest). Who asked, and about what, stays with them.\n"
        f"{care.reminder}",
        SECTION_TEXT_LIMIT,
    )


def end_dm(
    session_id: int,
    pod_name: str,
    experiment: ExperimentCard | None,
    *,
    ask_pod_fit: bool = False,
) -> tuple[str, Blocks]:
    """The reflection prompt, the open experiment and the session pulse; `ask_pod_fit`
    after the member's first session in the pod."""
    blocks: Blocks = [
        section(
            f"How was *{escape(pod_name)}*? Capture *one insight* and *one action* "
            "while it is fresh — it takes a minute."
        ),
        actions(button("Reflect", ids.REFLECT_OPEN_ACTION, str(session_id), style="primary")),
    ]
    if experiment is not None:
        due = short_date(experiment.due)
        value = str(experiment.experiment_id)
        blocks += [
            section(
                f"*Your experiment* (due {due}):\n"
                f"> {escape(truncate(' '.join(experiment.text.split()), INTENT_CHARS))}"
            ),
            actions(
                button("Tried it", ids.EXPERIMENT_TRIED_ACTION, value, style="primary"),
                button("Not yet", ids.EXPERIMENT_NOT_YET_ACTION, value),
                button("Drop", ids.EXPERIMENT_DROP_ACTION, value),
            ),
        ]
    blocks += pulse_ui.question_blocks(session_id, ask_pod_fit=ask_pod_fit)
    return f"How was {escape(pod_name)}? One insight, one action.", blocks


def cancel_notice(pod_name: str, when: str, reason: str | None) -> tuple[str, Blocks]:
    text = f"The *{escape(pod_name)}* session on *{when}* is cancelled."
    if reason:
        text += f"\n> {escape(truncate(' '.join(reason.split()), INTENT_CHARS))}"
    blocks: Blocks = [
        section(text),
        context("The next session is on the usual rhythm; `/coach next` shows it."),
    ]
    return f"{escape(pod_name)} on {when} is cancelled.", blocks
