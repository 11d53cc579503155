"""Block Kit for `/coach profile`: the profile modal and its confirmation; the admin's
levels and skills modal. Pure functions: data in, dict out."""

from __future__ import annotations

from typing import Any

from bot import ids
from bot.ui.blocks import (
    actions,
    button,
    context,
    escape,
    input_block,
    modal,
    option,
    plain,
    section,
    static_select,
    text_input,
)
from bot.ui.dates import WEEKDAY_NAMES, clock_time
from models.profile_forms import AVOID_MAX, FOCUS_MAX, OTHER_MAX, SKILLS_MAX, TEAM_MAX
from models.profile_views import ImportProblem, ImportResult, ProfileValues, ProgramLists

TITLE = "My profile"
OPT_IN_LABEL = "Match me into a pod"
AVOID_HINT = (
    "Private: only the matcher reads this list, to keep you apart from these people. "
    "Nobody else ever sees it: not them, not your pod, not program admins."
)
INTRO = (
    "This helps the matcher put you with peers at a similar level and with complementary "
    "skills, at times you can meet. Program admins see skills only as counts."
)


def _multi_select(
    action_id: str, names: tuple[str, ...], chosen: tuple[str, ...], placeholder: str
) -> dict[str, Any]:
    options = [option(name, name) for name in names]
    element: dict[str, Any] = {
        "type": "multi_static_select",
        "action_id": action_id,
        "placeholder": plain(placeholder, 150),
        "options": options,
        "max_selected_items": SKILLS_MAX,
    }
    initial = [o for o in options if o["value"] in chosen]
    if initial:
        element["initial_options"] = initial
    return element


def _skill_inputs(
    field: str, label: str, names: tuple[str, ...], chosen: tuple[str, ...], other_label: str
) -> list[dict[str, Any]]:
    listed = {name.casefold() for name in names}
    others = [name for name in chosen if name.casefold() not in listed]
    blocks: list[dict[str, Any]] = []
    if names:
        blocks.append(
            input_block(
                field,
                label,
                _multi_select(field, names, chosen, "Pick from the program's skills"),
                optional=True,
            )
        )
    blocks.append(
        input_block(
            f"{field}_other",
            other_label,
            text_input(
                f"{field}_other",
                initial=", ".join(others) or None,
                max_length=OTHER_MAX,
                placeholder="Comma-separated, like: Facilitation, SQL",
            ),
            optional=True,
            hint=f"Up to {SKILLS_MAX} in all.",
        )
    )
    return blocks


def _weekdays(chosen: tuple[int, ...]) -> dict[str, Any]:
    options = [option(day, str(number)) for number, day in enumerate(WEEKDAY_NAMES)]
    element: dict[str, Any] = {"type": "checkboxes", "action_id": "weekdays", "options": options}
    initial = [o for o in options if int(o["value"]) in chosen]
    if initial:
        element["initial_options"] = initial
    return element


def _timepicker(action_id: str, at: Any) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "timepicker", "action_id": action_id}
    if at is not None:
        element["initial_time"] = clock_time(at)
    return element


def profile_modal(values: ProfileValues, lists: ProgramLists) -> dict[str, Any]:
    level_options = [option(name, name) for name in lists.levels]
    opt_in_choice = option(OPT_IN_LABEL, "yes")
    opt_in_choice["description"] = plain(
        "Put me in a pod when the next pods are formed. Untick to stay out."
    )
    opt_in: dict[str, Any] = {
        "type": "checkboxes",
        "action_id": "match_opt_in",
        "options": [opt_in_choice],
    }
    if values.match_opt_in:
        opt_in["initial_options"] = [opt_in_choice]
    avoid: dict[str, Any] = {
        "type": "multi_users_select",
        "action_id": "avoid",
        "placeholder": plain("Nobody"),
        "max_selected_items": AVOID_MAX,
    }
    if values.avoid_user_ids:
        avoid["initial_users"] = list(values.avoid_user_ids)
    blocks: list[dict[str, Any]] = [
        context(INTRO),
        input_block(
            "team_name",
            "Team or function",
            text_input(
                "team_name",
                initial=values.team_name or None,
                max_length=TEAM_MAX,
                placeholder="Like: Payments engineering",
            ),
            optional=True,
        ),
    ]
    if level_options:
        blocks.append(
            input_block(
                "level",
                "Level",
                static_select(
                    "level", level_options, initial=values.level, placeholder="Pick your level"
                ),
                optional=True,
                hint="Pods bring together peers at similar levels.",
            )
        )
    blocks.append(
        input_block(
            "focus",
            "Focus",
            text_input(
                "focus",
                initial=values.focus,
                max_length=FOCUS_MAX,
                placeholder="A function, project or goal you'd like to work on",
            ),
            optional=True,
        )
    )
    blocks += _skill_inputs(
        "offers",
        "Skills I can offer",
        lists.skills,
        values.offers,
        "Other skills I can offer",
    )
    blocks += _skill_inputs(
        "growth",
        "Growth areas",
        lists.skills,
        values.growth,
        "Other growth areas",
    )
    zone = values.timezone
    blocks += [
        input_block(
            "weekdays",
            "Days I can meet",
            _weekdays(values.weekdays),
            optional=True,
        ),
        input_block(
            "window_start",
            "From",
            _timepicker("window_start", values.window_start),
            optional=True,
            hint=f"Your local time ({zone}, from your Slack profile).",
        ),
        input_block(
            "window_end",
            "Until",
            _timepicker("window_end", values.window_end),
            optional=True,
        ),
        input_block("match_opt_in", "Matching", opt_in, optional=True),
        input_block(
            "avoid",
            "Please don't put me with…",
            avoid,
            optional=True,
            hint=AVOID_HINT,
        ),
    ]
    return modal(callback_id=ids.PROFILE_CALLBACK, title=TITLE, blocks=blocks)


def _join(names: tuple[str, ...]) -> str:
    return ", ".join(escape(name) for name in names) if names else "none yet"


def saved_message(values: ProfileValues) -> dict[str, Any]:
    """The confirmation DM: what the profile now says (the private list only as a count)."""
    if values.weekdays and values.window_start and values.window_end:
        days = ", ".join(WEEKDAY_NAMES[day] for day in values.weekdays)
        when = (
            f"{days}, {clock_time(values.window_start)}–{clock_time(values.window_end)} "
            f"({escape(values.timezone)})"
        )
    elif values.weekdays:
        days = ", ".join(WEEKDAY_NAMES[day] for day in values.weekdays)
        when = f"{days} (no time window yet)"
    else:
        when = "not set yet"
    matching = (
        "You're in for matching: I'll put you in a pod when the next pods are formed."
        if values.match_opt_in
        else "You're not in for matching. Tick “Match me into a pod” with `/coach profile` "
        "when you want a pod."
    )
    lines = [
        "*Your profile is saved.*",
        f"• Team or function: {escape(values.team_name) or 'not set'}",
        f"• Level: {escape(values.level) if values.level else 'not set'}",
        f"• Skills you offer: {_join(values.offers)}",
        f"• Growth areas: {_join(values.growth)}",
        f"• When you can meet: {when}",
    ]
    if values.focus:
        lines.append(f"• Focus: {escape(values.focus)}")
    if values.avoid_user_ids:
        count = len(values.avoid_user_ids)
        lines.append(
            f"• Your private list: {count} {'person' if count == 1 else 'people'} "
            "(only the matcher reads it)"
        )
    text = "\n".join(lines)
    return {
        "text": "Your profile is saved.",
        "blocks": [section(text), context(matching + " Change it any time: `/coach profile`.")],
    }


# --------------------------------------------------------------------------- admin lists


def program_lists_modal(lists: ProgramLists) -> dict[str, Any]:
    blocks = [
        context(
            "The levels and skills people pick from in `/coach profile` and in imports. "
            "Taking one off the list leaves the profiles that have it as they are."
        ),
        input_block(
            "levels",
            "Levels, first step first",
            text_input(
                "levels",
                initial="\n".join(lists.levels),
                multiline=True,
                max_length=3000,
            ),
            hint="One a line, in order: pods bring together people at neighbouring levels.",
        ),
        input_block(
            "skills",
            "Skills",
            text_input(
                "skills",
                initial="\n".join(lists.skills),
                multiline=True,
                max_length=3000,
            ),
            hint="One a line (or comma-separated). At most 100.",
        ),
    ]
    return modal(callback_id=ids.PROGRAM_LISTS_CALLBACK, title="Levels and skills", blocks=blocks)


def lists_saved_message(lists: ProgramLists) -> dict[str, Any]:
    text = (
        f"*Levels and skills saved.*\nLevels: {_join(lists.levels)}\nSkills: {_join(lists.skills)}"
    )
    return {"text": "Levels and skills saved.", "blocks": [section(text)]}


# --------------------------------------------------------------------------- onboarding


def invite_message() -> dict[str, Any]:
    """The one DM an imported person gets: check the profile, opt in to matching."""
    text = (
        "Hi! You've been added to the peer coaching program: small pods of peers who "
        "meet regularly to help each other grow. Please check your profile (your "
        "program admin may have filled in your team, level or skills), add when you "
        "can meet, and tick *Match me into a pod* if you'd like to join one."
    )
    return {
        "text": "You've been added to the peer coaching program: check your profile.",
        "blocks": [
            section(text),
            actions(button("Check my profile", ids.PROFILE_OPEN_ACTION, style="primary")),
            context("Or type `/coach profile` any time. Nothing happens until you opt in."),
        ],
    }


def _problem_line(problem: ImportProblem) -> str:
    where = f"line {problem.line}" if problem.line is not None else "user"
    who = f" ({problem.who})" if problem.who else ""
    return f"{where}{who}: {problem.reason}"


def import_result_lines(result: ImportResult, invited: int) -> list[str]:
    """Plain text lines (the CLI prints them; the ui escapes them for Slack)."""
    lines = [
        f"{len(result.added)} added, {len(result.updated)} updated, "
        f"{len(result.unchanged)} already up to date, {len(result.problems)} not imported.",
        f"{invited} invited by DM to check their profile and opt in"
        + (" (people imported before are not invited again)." if result.imported else "."),
    ]
    if result.problems:
        lines.append("Not imported:")
        lines += [f"  {_problem_line(problem)}" for problem in result.problems]
    return lines


PROBLEMS_SHOWN = 30


def import_result_message(result: ImportResult, invited: int, source: str) -> dict[str, Any]:
    head, invites, *_ = import_result_lines(result, invited)
    blocks: list[dict[str, Any]] = [
        section(f"*Imported {escape(source)}.*\n{escape(head)}\n{escape(invites)}")
    ]
    if result.problems:
        shown = [f"• {escape(_problem_line(p))}" for p in result.problems[:PROBLEMS_SHOWN]]
        more = len(result.problems) - PROBLEMS_SHOWN
        if more > 0:
            shown.append(f"…and {more} more.")
        blocks.append(section("*Not imported*\n" + "\n".join(shown)))
    return {"text": f"Imported {source}: {head}", "blocks": blocks}


def usergroup_modal(groups: list[tuple[str, str, int]]) -> dict[str, Any]:
    """A picker of the workspace's user groups: (id, name, members)."""
    options = [
        option(f"{name} ({count} {'member' if count == 1 else 'members'})", group_id)
        for group_id, name, count in groups[:100]
    ]
    blocks = [
        context(
            "Everyone in the group gets a profile (or keeps theirs) and one DM inviting "
            "them to check it and opt in to matching. Importing a group again updates, "
            "never duplicates, and invites nobody twice."
        ),
        input_block(
            "usergroup",
            "User group",
            static_select("usergroup", options, placeholder="Pick a user group"),
        ),
    ]
    return modal(
        callback_id=ids.USERGROUP_IMPORT_CALLBACK,
        title="Import a user group",
        blocks=blocks,
        submit="Import",
    )


def no_usergroups_answer() -> dict[str, Any]:
    text = (
        "This workspace has no user groups to import. Create one in Slack (People → User "
        "groups), or import people from a file: `coachbot people import FILE`."
    )
    return {"text": text, "blocks": [section(text)]}
