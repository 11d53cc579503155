"""The check-in modal (intent, exploration, experiment) and its pod picker."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot import ids
from bot.ui.blocks import (
    context,
    escape,
    input_block,
    modal,
    option,
    plain,
    section,
    static_select,
    text_input,
    tick_box,
    truncate,
)
from bot.ui.dates import local_date_time
from models.program_content import Scenario
from models.session_forms import EXPERIMENT_MAX, EXPLORATION_MAX, INTENT_MAX
from models.session_views import CheckInDraft, SessionView

SHARE_VALUE = "share"
SENSITIVE_VALUE = "sensitive"
PROMPTS_PER_PILLAR = 3
SELECT_OPTIONS_MAX = 100


def session_summary(info: SessionView, tz: str | None) -> str:
    """One mrkdwn line: pod, local time, coach, theme (the pod's own facts only)."""
    parts = [f"*{escape(info.pod_name)}* · {local_date_time(info.starts_at, tz)} (your time)"]
    parts.append(f"coach <@{info.coach_user_id}>" if info.coach_user_id else "coach seat open")
    if info.theme_title:
        parts.append(f"theme: {escape(info.theme_title)}")
    return " · ".join(parts)


def picker_modal(choices: Sequence[SessionView], tz: str | None) -> dict[str, Any]:
    """First step when a person is in several pods: which session to prepare for."""
    options = [
        option(
            truncate(f"{info.pod_name} · {local_date_time(info.starts_at, tz)}", 75),
            str(info.session_id),
        )
        for info in choices[:SELECT_OPTIONS_MAX]
    ]
    return modal(
        callback_id=ids.CHECKIN_PICK_CALLBACK,
        title="Check in",
        submit=None,
        close="Cancel",
        blocks=[
            section(
                "You're in several pods. Which session are you preparing for?",
                block_id=ids.CHECKIN_PICK_BLOCK,
                accessory=static_select(
                    ids.CHECKIN_PICK_ACTION, options, placeholder="Pick a session"
                ),
            ),
            context("Times are in your timezone."),
        ],
    )


def _scenario_select(scenarios: Sequence[Scenario], selected: str | None) -> dict[str, Any]:
    options = [option(s.name, s.key) for s in scenarios[:SELECT_OPTIONS_MAX]]
    return static_select(
        ids.CHECKIN_SCENARIO_ACTION,
        options,
        initial=selected,
        placeholder="Pick a scenario for prompts",
    )


def _prompts(scenario: Scenario | None, pillar: str, block_id: str) -> list[dict[str, Any]]:
    if scenario is None:
        return []
    prompts = list(scenario.prompts.for_pillar(pillar))[:PROMPTS_PER_PILLAR]
    if not prompts:
        return []
    lines = "\n".join(f"• {p}" for p in prompts)
    block = context(f"_Prompts for {scenario.name.lower()}:_\n{lines}")
    block["block_id"] = block_id
    return [block]


def checkin_modal(
    draft: CheckInDraft,
    private_metadata: str,
    *,
    scenarios: Sequence[Scenario] = (),
    scenario_key: str | None = None,
) -> dict[str, Any]:
    """The three-pillar form for one session, prefilled with the person's
    earlier answers when they are editing. `scenario_key` is the scenario
    picked on the form (else the one the check-in was saved with)."""
    key = scenario_key if scenario_key is not None else draft.scenario_key
    scenario = next((s for s in scenarios if s.key == key), None)
    intro = session_summary(draft.target, draft.member_tz)
    if draft.is_edit:
        intro += "\n_You checked in already: saving updates your check-in._"
    share_element = tick_box(
        "share",
        "Share my intent with my pod",
        SHARE_VALUE,
        ticked=draft.share,
        description="Your pod sees it in the prep message and the coach's brief.",
    )
    sensitive_element = tick_box(
        "sensitive",
        "This touches a sensitive boundary or a possible conflict of interest",
        SENSITIVE_VALUE,
        ticked=draft.sensitive,
    )
    datepicker: dict[str, Any] = {
        "type": "datepicker",
        "action_id": "due_date",
        "initial_date": draft.due_date.isoformat(),
        "placeholder": plain("Pick a date"),
    }
    blocks: list[dict[str, Any]] = [section(intro, block_id=ids.CHECKIN_INTRO_BLOCK)]
    if scenarios:
        scenario_block = input_block(
            "scenario",
            "Scenario (optional)",
            _scenario_select(scenarios, scenario.key if scenario else draft.scenario_key),
            optional=True,
            hint="Pick the situation you're in to see prompts for each pillar.",
        )
        scenario_block["dispatch_action"] = True
        blocks.append(scenario_block)
    blocks += [
        input_block(
            "intent",
            "Intent",
            text_input(
                "intent",
                initial=draft.intent,
                multiline=True,
                max_length=INTENT_MAX,
                placeholder="The one performance question you bring to this session",
            ),
            hint="One question about your own work, in a sentence or two.",
        ),
        *_prompts(scenario, "intent", "prompts_intent"),
        input_block(
            "exploration",
            "Exploration",
            text_input(
                "exploration",
                initial=draft.exploration,
                multiline=True,
                max_length=EXPLORATION_MAX,
                placeholder="Strategies to compare, assumptions to examine",
            ),
            optional=True,
        ),
        *_prompts(scenario, "exploration", "prompts_exploration"),
        input_block(
            "experiment",
            "Experiment",
            text_input(
                "experiment",
                initial=draft.experiment,
                multiline=False,
                max_length=EXPERIMENT_MAX,
                placeholder="One small step you can test before the next session",
            ),
            optional=True,
        ),
        *_prompts(scenario, "experiment", "prompts_experiment"),
        input_block(
            "due_date",
            "Experiment due date",
            datepicker,
            optional=True,
            hint="I'll check in with you once, at 10:00 your time on that day.",
        ),
        input_block("share", "Sharing", share_element, optional=True),
        input_block(
            "sensitive",
            "Extra care",
            sensitive_element,
            optional=True,
            hint=(
                "Your coach only learns that someone asked for extra care, never who or what "
                "about. It is forgotten once the session is over."
            ),
        ),
        context(
            "Only you can read your check-in. Your pod sees your intent only if you share it; "
            "exploration and experiment stay yours."
        ),
    ]
    return modal(
        callback_id=ids.CHECKIN_CALLBACK,
        title="Check in",
        submit="Save",
        close="Cancel",
        private_metadata=private_metadata,
        blocks=blocks,
    )


def we_met_text(pod_name: str, already: bool) -> str:
    if already:
        return f"Thanks! This *{escape(pod_name)}* session is already marked as held."
    return f"Thanks! This *{escape(pod_name)}* session is marked as held."
