"""The hours chart: both kinds of bar stand out from the page by at least 3:1 (WCAG 1.4.11) and from each other."""

import re

import pytest
from django.template.loader import render_to_string

from practice.chart import BAR_AREA, FIGURE_WIDTH, LABEL_WIDTH, WIDTH, Bar, Chart, hours_chart
from practice.models import PracticeEntry
from practice.totals import HoursTotals, TotalLine


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    red, green, blue = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def _contrast(first: str, second: str) -> float:
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _bar_attributes(html: str, css_class: str) -> dict[str, str]:
    rect = re.search(rf'<rect [^>]*class="{css_class}"[^>]*>', html).group(0)
    return dict(re.findall(r'([\w-]+)="([^"]*)"', rect))


def _render() -> str:
    bar = Bar(
        label="Advocacy", y=0, approved_width=40, pending_x=320, pending_width=30, target_x=None, figure="2 h + 1"
    )
    chart = Chart(width=640, height=40, label_width=280, headings=[], bars=[bar])
    return render_to_string("practice/includes/hours_chart.html", {"chart": chart, "chart_id": "hours"})


def test_approved_and_waiting_bars_have_three_to_one_against_the_page():
    html = _render()
    approved = _bar_attributes(html, "bar-approved")
    waiting = _bar_attributes(html, "bar-pending")
    assert _contrast(approved["fill"], "#ffffff") >= 3
    # The pale fill alone would be too faint; its outline carries the contrast and the dashes set it apart.
    assert _contrast(waiting["stroke"], "#ffffff") >= 3
    assert float(waiting["stroke-width"]) >= 1
    assert waiting.get("stroke-dasharray")
    assert "stroke-dasharray" not in approved


def test_the_caption_names_how_each_kind_of_bar_looks():
    caption = re.search(r"<figcaption[^>]*>(.*?)</figcaption>", _render(), re.S).group(1)
    assert "Solid dark bars: approved." in caption
    assert "Pale bars with a dashed outline: waiting for review." in caption
    assert "The same figures are in the table below." in caption


def test_bars_and_target_lines_stay_clear_of_the_figures_on_the_right():
    targets = {"Individual peer support": 150 * 60, "Advocacy": 50 * 60}
    totals = HoursTotals(
        practice=TotalLine("Practice"),
        supervision=TotalLine("Supervision"),
        by_activity=[TotalLine("Individual peer support", 150 * 60, 765, targets["Individual peer support"])],
        by_contact=[TotalLine("Direct (with people supported)", 200 * 60, 30 * 60)],
        by_domain=[TotalLine("Advocacy", 3 * 60, 0, targets["Advocacy"])],
    )
    chart = hours_chart(totals)
    figures_start = WIDTH - FIGURE_WIDTH
    assert [bar.figure for bar in chart.bars] == ["150 h + 12.75 / 150", "200 h + 30", "3 h / 50"]
    assert max(bar.pending_x + bar.pending_width for bar in chart.bars) <= figures_start
    assert max(bar.target_x for bar in chart.bars if bar.target_x is not None) <= figures_start
    # The longest bar (230 h) fills the bar area, and the 150 h target sits at 150/230 of it.
    assert chart.bars[1].pending_x + chart.bars[1].pending_width == pytest.approx(figures_start, abs=0.2)
    assert chart.bars[0].target_x == pytest.approx(LABEL_WIDTH + BAR_AREA * 150 / 230, abs=0.1)
    # The longest figure fits its column: in Chromium a character of the 12-unit font is under 6 units wide.
    assert len(chart.bars[0].figure) * 12 * 0.5 < FIGURE_WIDTH - 4


def test_built_in_labels_are_shown_whole_and_longer_ones_cut_short():
    longest_built_in = max(PracticeEntry.ActivityType.labels, key=len)
    assert longest_built_in == "Documentation and other indirect work"
    bars = [
        Bar(label=label, y=26 * i, approved_width=1, pending_x=257, pending_width=0, target_x=None, figure="1 h")
        for i, label in enumerate([longest_built_in, "Supporting people through housing and benefits applications"])
    ]
    chart = Chart(width=640, height=60, label_width=LABEL_WIDTH, headings=[], bars=bars)
    html = render_to_string("practice/includes/hours_chart.html", {"chart": chart, "chart_id": "hours"})
    assert f">{longest_built_in}</text>" in html
    assert ">Supporting people through housing and…</text>" in html  # 38 characters: clear of the bars
