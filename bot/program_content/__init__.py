"""The program content shipped as YAML in ``prompts/`` (its schema is
``models.program_content``): ``loader`` reads and validates it, ``scenarios`` finds
the scenario a person means, ``questions`` picks questions for a session.

Check a prompts directory without starting anything: ``python -m bot.program_content
[DIRECTORY]``.
"""

from bot.program_content.loader import ContentError, get_content, load_content
from bot.program_content.questions import get_theme, reflection_questions, suggest_questions
from bot.program_content.scenarios import closest_scenarios, find_scenario, get_scenario

__all__ = [
    "ContentError",
    "closest_scenarios",
    "find_scenario",
    "get_content",
    "get_scenario",
    "get_theme",
    "load_content",
    "reflection_questions",
    "suggest_questions",
]
