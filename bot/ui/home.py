"""The App Home tab: my next session, my open experiments, my recent insights,
my shared learnings waiting for the digest, my weekly reflection reminder, my pods
and quick buttons. Only the viewer's own words ever appear, and the view stays
inside Slack's limits (100 blocks, text lengths) however much history there is."""

from __future__ import annotations

from typing import Any

from bot import ids
from bot.ui.blocks import (
    actions,
    button,
    context,
    divider,
    escape,
    header,
    section,
    truncate,
)
from bot.ui.dates import local_date, local_date_time, short_date
from bot.ui.digest import waiting_learnings_blocks
from bot.ui.experiments import experiment_actions, quoted, shown
from bot.ui.reflection_reminders import home_section as reflection_reminder_section
from models.session_views import (
    EXPERIMENT_TRIED,
    HOME_EXPERIMENTS_SHOWN,
    HOME_INSIGHTS_SHOWN,
    HOME_SESSIONS_SHOWN,
    HomeData,
)

HOME_MAX_BLOCKS = 100
INSIGHT_SHOWN_MAX = 400
ACTION_SHOWN_MAX = 250
PODS_SHOWN = 20


def _next_sessions(data: HomeData) -> list[dict[str, Any]]:
    blocks = [section("*Your next session*", block_id=ids.HOME_NEXT_TITLE_BLOCK)]
    if not data.pods:
        blocks.append(
            context("You're not in a pod yet. `/coach pod list` shows the pods you can join.")
        )
        return blocks
    if not data.next_sessions:
        blocks.append(context("No session is scheduled in your pods yet."))
        return blocks
    lines = []
    for item in data.next_sessions[:HOME_SESSIONS_SHOWN]:
        line = f"*{escape(item.pod_name)}* · {local_date_time(item.starts_at, data.tz)} (your time)"
        line += f"\nCoach: <@{item.coach_user_id}>" if item.coach_user_id else "\nCoach seat open"
        if item.theme_title:
            line += f" · Theme: {escape(item.theme_title)}"
        if item.checked_in:
            line += " · :white_check_mark: you've checked in"
        lines.append(line)
    blocks.append(
        section(truncate("\n\n".join(lines), 2900), block_id=ids.HOME_NEXT_SESSIONS_BLOCK)
    )
    return blocks


def _experiments(data: HomeData) -> list[dict[str, Any]]:
    total = data.open_experiment_count
    blocks = [
        section(f"*Your open experiments* ({total})", block_id=ids.HOME_EXPERIMENTS_TITLE_BLOCK)
    ]
    if total == 0:
        blocks.append(context("No open experiments. Pick one small step at your next check-in."))
    for experiment in data.open_experiments[:HOME_EXPERIMENTS_SHOWN]:
        where = f" · {escape(experiment.pod_name)}" if experiment.pod_name else ""
        blocks.append(
            section(
                f"{quoted(experiment.text, 280)}\n_Due {short_date(experiment.due_date)}{where}_",
                block_id=f"{ids.EXPERIMENT_TEXT_BLOCK}:{experiment.id}",
            )
        )
        blocks.append(experiment_actions(experiment.id))
    hidden = total - min(total, HOME_EXPERIMENTS_SHOWN)
    if hidden > 0:
        blocks.append(
            context(f"…and {hidden} more. `/coach experiments` lists them with their buttons.")
        )
    if data.resolved:
        lines = []
        for experiment in data.resolved:
            mark = (
                ":white_check_mark: Tried" if experiment.status == EXPERIMENT_TRIED else "Dropped"
            )
            note = f" — _{shown(experiment.outcome_note, 150)}_" if experiment.outcome_note else ""
            lines.append(f"{mark}: {quoted(experiment.text, 150)}{note}")
        blocks.append(context(truncate("Recently: " + "\n".join(lines), 2900)))
    return blocks


def _insights(data: HomeData) -> list[dict[str, Any]]:
    blocks = [section("*Your recent insights*", block_id=ids.HOME_INSIGHTS_TITLE_BLOCK)]
    if not data.insights:
        blocks.append(
            context(
                "Nothing yet. After a session, press *Reflect* to keep one insight and one action."
            )
        )
        return blocks
    for index, item in enumerate(data.insights[:HOME_INSIGHTS_SHOWN]):
        when = short_date(local_date(item.created_at, data.tz))
        where = f" · {escape(item.pod_name)}" if item.pod_name else ""
        shared = " · shared anonymously" if item.shared else ""
        blocks.append(
            section(
                f"{quoted(item.insight, INSIGHT_SHOWN_MAX)}\n"
                f"*Action:* {shown(item.action, ACTION_SHOWN_MAX)}\n"
                f"_{when}{where}{shared}_",
                block_id=f"{ids.HOME_INSIGHT_BLOCK}:{index}",
            )
        )
    return blocks


def _waiting(data: HomeData) -> list[dict[str, Any]]:
    blocks = waiting_learnings_blocks(data.waiting_learnings, data.tz)
    return [divider(), *blocks] if blocks else []


def _pods(data: HomeData) -> list[dict[str, Any]]:
    if not data.pods:
        return [section("*Your pods*\nNone yet.", block_id=ids.HOME_PODS_BLOCK)]
    names = ", ".join(escape(name) for name in data.pods[:PODS_SHOWN])
    if len(data.pods) > PODS_SHOWN:
        names += f" and {len(data.pods) - PODS_SHOWN} more"
    return [section(truncate(f"*Your pods*\n{names}", 2900), block_id=ids.HOME_PODS_BLOCK)]


def home_view(data: HomeData) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = [
        header("Your coaching"),
        actions(
            button("Check in", ids.HOME_CHECKIN_ACTION, style="primary"),
            button("Reflect", ids.HOME_REFLECT_ACTION),
            button("Kudos", ids.HOME_KUDOS_ACTION),
            block_id=ids.HOME_QUICK_BLOCK,
        ),
        divider(),
        *_next_sessions(data),
        divider(),
        *_experiments(data),
        divider(),
        *_insights(data),
        *_waiting(data),
        divider(),
        *reflection_reminder_section(data.reflection_reminder, data.tz),
        divider(),
        *_pods(data),
        context("Only you see this page. What you write belongs to you."),
    ]
    if len(blocks) > HOME_MAX_BLOCKS:  # pragma: no cover - the sections above are bounded
        blocks = blocks[: HOME_MAX_BLOCKS - 1] + [context("Some items are not shown.")]
    return {"type": "home", "callback_id": ids.HOME_CALLBACK, "blocks": blocks}
