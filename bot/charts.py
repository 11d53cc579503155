"""The quarterly review's chart: sessions held (bars), insights and experiments
tried (lines) per week, rendered headless to PNG bytes.

Wiring-level like the CLI: it draws facts the review service returned. It uses
matplotlib's object API on the Agg canvas (no pyplot state), so threads of the
web server can draw at the same time.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")

from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from bot.ui import review as review_ui  # noqa: E402
from bot.ui.dates import day_and_month  # noqa: E402
from models.velocity_views import ReviewFacts, WeekVelocity  # noqa: E402

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SIZE_INCHES = (10, 5)
DPI = 100


def weekly_chart(weeks: Sequence[WeekVelocity], title: str) -> bytes:
    """A PNG of the weeks' sessions held, insights and experiments tried."""
    if not weeks:
        raise ValueError("a chart needs at least one week")
    figure = Figure(figsize=SIZE_INCHES, dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = list(range(len(weeks)))
    axes.bar(
        positions,
        [week.sessions_held for week in weeks],
        color="#9ec5e8",
        label="Sessions held",
    )
    axes.plot(
        positions,
        [week.insights for week in weeks],
        color="#2f6f3e",
        marker="o",
        linewidth=2,
        label="Insights",
    )
    axes.plot(
        positions,
        [week.tried for week in weeks],
        color="#c25b12",
        marker="s",
        linewidth=2,
        label="Experiments tried",
    )
    axes.set_xticks(
        positions, [day_and_month(week.start) for week in weeks], rotation=45, ha="right"
    )
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylim(bottom=0)
    axes.set_xlabel("Week starting (UTC)")
    axes.set_ylabel("Count")
    axes.set_title(title)
    axes.grid(axis="y", alpha=0.3)
    figure.legend(loc="outside lower center", ncols=3, frameon=False)
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def review_chart(facts: ReviewFacts) -> bytes | None:
    """The review's chart; None for a quarter with no data (or no numbers to show)."""
    if not facts.has_data or not facts.weeks:
        return None
    return weekly_chart(facts.weeks, review_ui.chart_title(facts))
