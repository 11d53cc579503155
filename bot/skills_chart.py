"""The skills map's chart: people offering and seeking each skill as paired horizontal
bars, rendered headless to PNG bytes (matplotlib's object API on the Agg canvas, as in
bot.charts, so web server threads can draw at the same time)."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from bot.ui import skills_map as skills_ui  # noqa: E402
from models.profile_views import SkillsMap  # noqa: E402

SKILLS_CHARTED = 25
DPI = 100
LABEL_MAX = 40


def _label(skill: str) -> str:
    """People's text as written: `$` would start matplotlib's maths mode."""
    short = skill if len(skill) <= LABEL_MAX else skill[: LABEL_MAX - 1] + "…"
    return short.replace("$", r"\$")


def skills_chart(facts: SkillsMap) -> bytes | None:
    """A PNG of the most sought skills (offered beside sought); None with no data."""
    if not facts.has_data:
        return None
    shown = [c for c in facts.skills if c.offered or c.sought][:SKILLS_CHARTED]
    shown.reverse()  # most sought at the top
    height = max(3.0, 0.4 * len(shown) + 1.5)
    figure = Figure(figsize=(9, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = list(range(len(shown)))
    bar = 0.4
    axes.barh(
        [p + bar / 2 for p in positions],
        [c.sought for c in shown],
        height=bar,
        color="#c25b12",
        label="Seek it (growth area)",
    )
    axes.barh(
        [p - bar / 2 for p in positions],
        [c.offered for c in shown],
        height=bar,
        color="#2f6f3e",
        label="Offer it",
    )
    labels = [_label(c.skill) for c in shown]
    axes.set_yticks(positions, labels)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlim(left=0)
    axes.set_xlabel("People")
    axes.set_title(skills_ui.chart_title(facts))
    axes.grid(axis="x", alpha=0.3)
    figure.legend(loc="outside lower center", ncols=2, frameon=False)
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()
