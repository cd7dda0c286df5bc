"""Lay out the hours chart: horizontal bars of approved and waiting hours, with a programme's target marked.

Wide screens get one SVG; narrow ones a list of the same bars with their labels and figures as page text, each
bar drawn in percentages of the shared scale, so nothing shrinks to an unreadable size.
"""

from dataclasses import dataclass, field

from practice.totals import HoursTotals

WIDTH = 640
LABEL_WIDTH = 256
FIGURE_WIDTH = 124  # room on the right for the longest figure, "150 h + 12.75 / 150", clear of bars and targets
BAR_AREA = WIDTH - LABEL_WIDTH - FIGURE_WIDTH
ROW_HEIGHT = 26
HEADING_HEIGHT = 30


@dataclass(frozen=True)
class Bar:
    """One line of the chart, with coordinates in the SVG's units."""

    label: str
    y: int
    approved_width: float
    pending_x: float
    pending_width: float
    target_x: float | None
    figure: str
    approved_percent: float = 0
    pending_percent: float = 0
    target_percent: float | None = None


@dataclass(frozen=True)
class Heading:
    """A group heading in the chart."""

    label: str
    y: int


@dataclass(frozen=True)
class Chart:
    """Everything the SVG template draws."""

    width: int
    height: int
    label_width: int
    headings: list[Heading]
    bars: list[Bar]
    groups: list[tuple[str, list[Bar]]] = field(default_factory=list)


def hours_chart(totals: HoursTotals) -> Chart:
    """Place every total line of the three groups on one shared scale."""
    scale = totals.chart_scale_minutes
    y = 0
    headings, bars, groups = [], [], []
    for title, lines in totals.chart_groups:
        headings.append(Heading(title, y + 20))
        groups.append((title, []))
        y += HEADING_HEIGHT
        for line in lines:
            figure = f"{line.approved_hours:g} h"
            if line.pending_minutes:
                figure += f" + {line.pending_hours:g}"
            if line.target_minutes is not None:
                figure += f" / {line.target_hours:g}"
            approved_width = round(BAR_AREA * line.approved_minutes / scale, 1)
            bars.append(
                Bar(
                    label=line.label,
                    y=y,
                    approved_width=approved_width,
                    pending_x=LABEL_WIDTH + approved_width,
                    pending_width=round(BAR_AREA * line.pending_minutes / scale, 1),
                    target_x=None
                    if line.target_minutes is None
                    else round(LABEL_WIDTH + BAR_AREA * line.target_minutes / scale, 1),
                    figure=figure,
                    approved_percent=_percent(line.approved_minutes, scale),
                    pending_percent=_percent(line.pending_minutes, scale),
                    target_percent=None if line.target_minutes is None else _percent(line.target_minutes, scale),
                )
            )
            groups[-1][1].append(bars[-1])
            y += ROW_HEIGHT
        y += 6
    return Chart(width=WIDTH, height=y, label_width=LABEL_WIDTH, headings=headings, bars=bars, groups=groups)


def _percent(minutes: int, scale: int) -> float:
    return round(100 * minutes / scale, 1)
