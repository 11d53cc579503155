"""The shipped content in prompts/, its validation, and the queries over it."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.program_content import (
    ContentError,
    closest_scenarios,
    find_scenario,
    get_content,
    get_scenario,
    get_theme,
    load_content,
    reflection_questions,
    suggest_questions,
)
from bot.program_content.loader import PROMPTS_DIR, main
from models.program_content import (
    CONTENT_FILES,
    MIN_PILLAR_QUESTIONS,
    MIN_REFLECTION_QUESTIONS,
    MIN_SCENARIO_PROMPTS,
    MIN_SCENARIOS,
    MIN_THEMES,
    PILLARS,
    Content,
    Pillar,
    cross_check,
)

REQUIRED_SCENARIOS = {
    "new-initiative",
    "cross-functional-conflict",
    "competing-deadlines",
    "hard-feedback",
    "stepping-into-lead",
    "recovering-from-setback",
    "new-team",
}


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content()


# --- the shipped files ---------------------------------------------------------------


def test_prompts_directory_holds_exactly_the_content_files() -> None:
    shipped = {path.name for path in PROMPTS_DIR.glob("*.yaml")}
    assert shipped == {spec.name for spec in CONTENT_FILES}


def test_shipped_content_meets_the_minimums(content: Content) -> None:
    bank = content.questions
    for pillar in PILLARS:
        assert len(bank.for_pillar(pillar)) >= MIN_PILLAR_QUESTIONS
    assert len(bank.reflection) >= MIN_REFLECTION_QUESTIONS
    assert len(content.scenarios) >= MIN_SCENARIOS
    assert len(content.themes) >= MIN_THEMES
    for scenario in content.scenarios:
        for pillar in PILLARS:
            assert len(scenario.prompts.for_pillar(pillar)) >= MIN_SCENARIO_PROMPTS
    assert REQUIRED_SCENARIOS <= {s.key for s in content.scenarios}
    assert cross_check(bank, content.scenarios, content.themes) == []


def test_questions_read_as_questions(content: Content) -> None:
    bank_texts = [q.text for _, _, q in content.questions.all()]
    prompt_texts = [
        text for s in content.scenarios for p in PILLARS for text in s.prompts.for_pillar(p)
    ]
    for text in bank_texts + prompt_texts:
        assert text.endswith("?"), text
        assert text[0].isupper(), text


def test_every_theme_has_fitting_questions_in_each_pillar(content: Content) -> None:
    for theme in content.themes:
        for pillar in PILLARS:
            fitting = [
                q for q in content.questions.for_pillar(pillar) if set(q.tags) & set(theme.tags)
            ]
            assert fitting, (theme.key, pillar)


def test_values_and_ground_rules(content: Content) -> None:
    assert [v.key for v in content.values.values] == [
        "respect",
        "courage",
        "transparency",
        "support",
    ]
    rules = {rule.key for rule in content.ground_rules.rules}
    assert {
        "confidentiality",
        "curiosity-over-judgment",
        "conflicts-and-boundaries",
        "patterns-not-solutions",
        "paraphrase-first",
        "leave-with-an-experiment",
    } <= rules


def test_welcome_packet(content: Content) -> None:
    welcome = content.welcome
    assert [p.pillar for p in welcome.pillars] == [
        Pillar.INTENT,
        Pillar.EXPLORATION,
        Pillar.EXPERIMENT,
    ]
    assert welcome.pillar("experiment").name == "Experiment"
    assert welcome.consent.button == "I agree to the ground rules"
    privacy = " ".join(f"{p.title} {p.text}" for p in welcome.privacy).lower()
    for promise in ("only if you tick", "share anonymously", "never see", "no attendance"):
        assert promise in privacy


def test_first_session_script_fills_the_session(content: Content) -> None:
    script = content.first_session
    assert script.duration_minutes == 45
    assert sum(step.minutes for step in script.steps) == 45
    timeline = script.timeline()
    assert timeline[0][0] == 0
    last_start, last_step = timeline[-1]
    assert last_start + last_step.minutes == 45


def test_primers(content: Content) -> None:
    assert [p.key for p in content.primers] == [
        "active-listening",
        "powerful-questions",
        "reframing",
    ]
    for primer in content.primers:
        assert 4 <= len(primer.tips) <= 6
        assert len(primer.example.exchange) >= 2


def test_get_content_is_cached_and_matches_the_default_directory() -> None:
    assert get_content() is get_content()
    assert get_content() == load_content(PROMPTS_DIR)


def test_check_command(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main([]) == 0
    assert capsys.readouterr().out.startswith("ok: ")
    assert main([str(tmp_path / "nowhere")]) == 1
    assert "content directory not found" in capsys.readouterr().err


# --- malformed content -------------------------------------------------------------


@pytest.fixture
def prompts(tmp_path: Path) -> Path:
    directory = tmp_path / "prompts"
    shutil.copytree(PROMPTS_DIR, directory)
    return directory


def load_error(directory: Path) -> ContentError:
    with pytest.raises(ContentError) as caught:
        load_content(directory)
    message = str(caught.value)
    assert "\n" not in message
    return caught.value


def replace_line(path: Path, old: str, new: str | None) -> int:
    """Replace (or with None delete) the one line equal to ``old``; its 1-based number."""
    lines = path.read_text(encoding="utf-8").splitlines()
    matches = [i for i, line in enumerate(lines) if line == old]
    assert len(matches) == 1, f"{old!r} found {len(matches)} times in {path.name}"
    index = matches[0]
    if new is None:
        del lines[index]
    else:
        lines[index] = new
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return index + 1


def line_of(path: Path, text: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return lines.index(text) + 1


def edit_yaml(path: Path, change: Callable[[Any], None]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def test_yaml_syntax_error(prompts: Path) -> None:
    line = replace_line(prompts / "themes.yaml", "    title: Delegation", "    title Delegation")
    assert str(load_error(prompts)) == (
        f"prompts/themes.yaml: line {line}: YAML syntax error: "
        "could not find expected ':' (while scanning a simple key)"
    )


def test_missing_field(prompts: Path) -> None:
    path = prompts / "scenarios.yaml"
    start = line_of(path, "  - key: competing-deadlines")
    replace_line(
        path,
        "    summary: More is due than time allows, and every request feels urgent to the "
        "person asking.",
        None,
    )
    error = load_error(prompts)
    assert str(error) == (
        f"prompts/scenarios.yaml: line {start}: scenarios[2].summary: missing required field"
    )
    assert (error.file, error.line, error.location) == (
        "prompts/scenarios.yaml",
        start,
        "scenarios[2].summary",
    )


def test_too_few_questions(prompts: Path) -> None:
    edit_yaml(
        prompts / "questions.yaml", lambda data: data.__setitem__("intent", data["intent"][:3])
    )
    assert re.fullmatch(
        r"prompts/questions\.yaml: line \d+: intent: at least 15 items required \(got 3\)",
        str(load_error(prompts)),
    )


def test_too_few_scenario_prompts(prompts: Path) -> None:
    def shrink(data: Any) -> None:
        data["scenarios"][2]["prompts"]["intent"] = ["What matters most?"]

    edit_yaml(prompts / "scenarios.yaml", shrink)
    assert re.fullmatch(
        r"prompts/scenarios\.yaml: line \d+: scenarios\[2\]\.prompts\.intent: "
        r"at least 3 items required \(got 1\)",
        str(load_error(prompts)),
    )


def test_duplicate_key(prompts: Path) -> None:
    line = replace_line(prompts / "themes.yaml", "  - key: delegation", "  - key: prioritisation")
    assert str(load_error(prompts)) == (
        f"prompts/themes.yaml: line {line}: themes[4].key: "
        "duplicate key 'prioritisation' (already used by themes[0])"
    )


def test_duplicate_yaml_mapping_key(prompts: Path) -> None:
    path = prompts / "ground_rules.yaml"
    first = line_of(path, "intro: >-")
    with path.open("a", encoding="utf-8") as handle:
        handle.write("intro: A second intro.\n")
    last = len(path.read_text(encoding="utf-8").splitlines())
    assert str(load_error(prompts)) == (
        f"prompts/ground_rules.yaml: line {last}: duplicate key 'intro' (first at line {first})"
    )


def test_wrong_type(prompts: Path) -> None:
    line = replace_line(prompts / "first_session.yaml", "  - minutes: 15", '  - minutes: "15"')
    assert str(load_error(prompts)) == (
        f"prompts/first_session.yaml: line {line}: steps[4].minutes: "
        "expected a whole number, got text"
    )


def test_list_expected(prompts: Path) -> None:
    edit_yaml(prompts / "scenarios.yaml", lambda data: data.__setitem__("scenarios", {"a": 1}))
    assert re.fullmatch(
        r"prompts/scenarios\.yaml: line \d+: scenarios: expected a list, got a mapping",
        str(load_error(prompts)),
    )


def test_missing_file(prompts: Path) -> None:
    (prompts / "questions.yaml").unlink()
    assert str(load_error(prompts)) == "prompts/questions.yaml: missing file"


def test_missing_directory(tmp_path: Path) -> None:
    error = load_error(tmp_path / "prompts")
    assert str(error).startswith("prompts: content directory not found")


def test_empty_file_and_wrong_top_level(prompts: Path) -> None:
    (prompts / "values.yaml").write_text("# nothing yet\n", encoding="utf-8")
    assert str(load_error(prompts)) == "prompts/values.yaml: file is empty"
    (prompts / "values.yaml").write_text("- respect\n- courage\n", encoding="utf-8")
    assert str(load_error(prompts)) == (
        "prompts/values.yaml: line 1: the top level must be a mapping of fields "
        "(key: value), got a list"
    )


def test_unknown_field_lists_the_allowed_ones(prompts: Path) -> None:
    path = prompts / "themes.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    index = lines.index("  - key: prioritisation")
    lines.insert(index + 1, "    colour: blue")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert str(load_error(prompts)) == (
        f"prompts/themes.yaml: line {index + 2}: themes[0].colour: "
        "unknown field; allowed: key, title, description, tags"
    )


def test_misspelt_field_reports_the_first_problem_and_counts_the_rest(prompts: Path) -> None:
    path = prompts / "scenarios.yaml"
    start = line_of(path, "  - key: new-initiative")
    old = (
        "    summary: Getting something new off the ground, from winning support to the first "
        "proof that it works."
    )
    replace_line(path, old, old.replace("summary:", "sumary:"))
    assert str(load_error(prompts)) == (
        f"prompts/scenarios.yaml: line {start}: scenarios[0].summary: missing required field "
        "(and 1 more problem in this file)"
    )


def test_blank_text_and_bad_slug(prompts: Path) -> None:
    path = prompts / "values.yaml"
    line = replace_line(path, "    name: Courage", '    name: "   "')
    assert str(load_error(prompts)) == (
        f"prompts/values.yaml: line {line}: values[1].name: must not be empty"
    )
    replace_line(path, '    name: "   "', "    name: Courage")
    line = replace_line(path, "  - key: courage", "  - key: Courage")
    assert str(load_error(prompts)) == (
        f"prompts/values.yaml: line {line}: values[1].key: must be a slug of lowercase "
        "letters, digits and single hyphens, like 'new-initiative' (got 'Courage')"
    )


def test_timings_must_add_up(prompts: Path) -> None:
    path = prompts / "first_session.yaml"
    steps = line_of(path, "steps:")
    replace_line(path, "  - minutes: 15", "  - minutes: 16")
    assert str(load_error(prompts)) == (
        f"prompts/first_session.yaml: line {steps + 1}: steps: "
        "step minutes add up to 46, but duration_minutes is 45"
    )


def test_theme_tag_no_question_carries(prompts: Path) -> None:
    path = prompts / "themes.yaml"
    line = replace_line(
        path,
        "    tags: [prioritisation, focus, deadlines]",
        "    tags: [prioritization, focus, deadlines]",
    )
    assert str(load_error(prompts)) == (
        f"prompts/themes.yaml: line {line}: themes[0].tags[0]: "
        "no question in questions.yaml is tagged 'prioritization'"
    )


def test_alias_must_point_to_one_scenario(prompts: Path) -> None:
    path = prompts / "scenarios.yaml"
    line = replace_line(
        path,
        "    aliases: [feedback, difficult feedback, critical feedback, tough feedback]",
        "    aliases: [feedback, difficult feedback, critical feedback, Cross-Functional CONFLICT]",
    )
    assert str(load_error(prompts)) == (
        f"prompts/scenarios.yaml: line {line}: scenarios[3].aliases[3]: "
        "'Cross-Functional CONFLICT' is also a key, name or alias of scenarios[1] "
        "(cross-functional-conflict); each must point to one scenario"
    )


def test_welcome_pillars_must_be_the_three_in_order(prompts: Path) -> None:
    line = replace_line(prompts / "welcome.yaml", "  - pillar: exploration", "  - pillar: explore")
    assert str(load_error(prompts)) == (
        f"prompts/welcome.yaml: line {line}: pillars[1].pillar: "
        "must be one of 'intent', 'exploration' or 'experiment' (got 'explore')"
    )


# --- scenario matching -------------------------------------------------------------


def test_every_key_name_and_alias_finds_its_scenario(content: Content) -> None:
    for scenario in content.scenarios:
        for phrase in scenario.phrases():
            assert find_scenario(content, phrase) == scenario, phrase


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("hard-feedback", "hard-feedback"),
        ("LAUNCHING A NEW INITIATIVE", "new-initiative"),
        ("giving Hard Feedback", "hard-feedback"),
        ("my boss", "managing-up"),
        ("burnout", "running-on-empty"),
        ("cross functionl conflict", "cross-functional-conflict"),
        ("compting deadlines", "competing-deadlines"),
        ("Help me with a cross-functional conflict, please!", "cross-functional-conflict"),
        ("stepping in to a lead role", "stepping-into-lead"),
        ("cross", "cross-functional-conflict"),
        ("new init", "new-initiative"),
        ("recover", "recovering-from-setback"),
        ("launch", "new-initiative"),
    ],
)
def test_find_scenario_is_forgiving(content: Content, typed: str, key: str) -> None:
    found = find_scenario(content, typed)
    assert found is not None and found.key == key


@pytest.mark.parametrize("typed", ["", "   ", "?!", "pizza party", "new", "team"])
def test_find_scenario_refuses_to_guess(content: Content, typed: str) -> None:
    assert find_scenario(content, typed) is None


def test_closest_scenarios_for_did_you_mean(content: Content) -> None:
    assert [s.key for s in closest_scenarios(content, "deadline conflict")][:2] == [
        "cross-functional-conflict",
        "competing-deadlines",
    ]
    assert {s.key for s in closest_scenarios(content, "team")} == {
        "cross-functional-conflict",
        "new-team",
    }
    ambiguous = [s.key for s in closest_scenarios(content, "new")]
    assert {"new-initiative", "new-team"} <= set(ambiguous)
    assert [s.key for s in closest_scenarios(content, "leadership")] == ["stepping-into-lead"]
    assert len(closest_scenarios(content, "new", n=1)) == 1
    assert closest_scenarios(content, "pizza party") == []
    assert closest_scenarios(content, "") == []


def test_lookup_by_key(content: Content) -> None:
    assert get_scenario(content, "new-team") == content.scenarios[6]
    assert get_scenario(content, "New Team") is None
    assert get_theme(content, "feedback") is not None
    assert get_theme(content, "nope") is None


# --- themes and questions ------------------------------------------------------------


def bank_texts(content: Content, pillar: str) -> set[str]:
    return {q.text for q in content.questions.for_pillar(pillar)}


def test_three_suggestions_are_one_per_pillar_and_fit_the_theme(content: Content) -> None:
    theme = get_theme(content, "feedback")
    assert theme is not None
    questions = suggest_questions(content, "feedback", [], 3)
    assert len(questions) == 3
    by_text = {q.text: q for _, _, q in content.questions.all()}
    for pillar, text in zip(PILLARS, questions, strict=True):
        assert text in bank_texts(content, pillar)
        assert set(by_text[text].tags) & set(theme.tags)


def test_suggestions_are_deterministic(content: Content) -> None:
    first = suggest_questions(content, "delegation", ["stepping-into-lead"], 5)
    assert first == suggest_questions(content, "delegation", ["stepping-into-lead"], 5)
    assert len(first) == 5
    assert len(set(first)) == 5


def test_scenario_prompts_come_before_theme_only_questions(content: Content) -> None:
    scenario = get_scenario(content, "hard-feedback")
    assert scenario is not None
    # No bank question fits both prioritisation and feedback tags, so the scenario's
    # own prompts lead, one per pillar.
    assert suggest_questions(content, "prioritisation", ["hard-feedback"], 3) == [
        scenario.prompts.intent[0],
        scenario.prompts.exploration[0],
        scenario.prompts.experiment[0],
    ]


def test_questions_fitting_theme_and_scenario_lead(content: Content) -> None:
    theme, scenario = get_theme(content, "feedback"), get_scenario(content, "hard-feedback")
    assert theme is not None and scenario is not None
    first = suggest_questions(content, "feedback", ["hard-feedback"], 1)[0]
    question = next(q for q in content.questions.intent if q.text == first)
    assert set(question.tags) & set(theme.tags) and set(question.tags) & set(scenario.tags)


def test_suggestions_skip_excluded_and_never_repeat(content: Content) -> None:
    first = suggest_questions(content, "setbacks", [], 3)
    second = suggest_questions(content, "setbacks", [], 3, exclude=first)
    assert len(second) == 3 and not set(first) & set(second)
    everything = suggest_questions(content, "setbacks", ["recovering-from-setback"], 10_000)
    assert len(everything) == len(set(everything))
    scenario = get_scenario(content, "recovering-from-setback")
    assert scenario is not None
    expected = set().union(*(bank_texts(content, p) for p in PILLARS))
    expected |= {t for p in PILLARS for t in scenario.prompts.for_pillar(p)}
    assert set(everything) == expected


def test_unknown_keys_and_zero(content: Content) -> None:
    assert suggest_questions(content, "no-such-theme", ["no-such-scenario"], 3) == (
        suggest_questions(content, None, [], 3)
    )
    assert len(suggest_questions(content, None, [], 3)) == 3
    assert suggest_questions(content, "feedback", [], 0) == []


def test_reflection_questions(content: Content) -> None:
    questions = reflection_questions(content)
    assert len(questions) >= MIN_REFLECTION_QUESTIONS
    assert questions[0] == content.questions.reflection[0].text
