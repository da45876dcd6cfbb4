"""Chart.js configurations and the flow heat map, built from the metrics service's rows.

Pure functions over plain rows, unit-tested without a browser. The configurations are plain
JSON (no callbacks), embedded as `application/json` and read by `static/app.js`, so the
content security policy can forbid inline scripts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from service.metrics.schemas import FlowOut, FlowRegionOut, MetricsRowOut
from service.web.formatting import heat_colour, heat_text_is_white

BLUE, GREEN, AMBER, GREY = "#1d5fa8", "#12b76a", "#f79009", "#98a2b3"
#: Bars shown at most per chart (the largest by effective hours); the tables list them all.
MAX_BARS = 15


#: Instruments used less than this in a period are not ranked best or worst: a rate over two
#: hours of use says nothing about how an instrument is shared.
MIN_RANKED_HOURS = 10.0


def default_period(today: date) -> tuple[date, date]:
    """The last twelve complete months: `[first of the month 12 months back, first of this
    month)`. The month in progress is left out, so the trend does not end in a cliff and no
    day that has not happened is counted."""
    end = date(today.year, today.month, 1)
    return date(end.year - 1, end.month, 1), end


def month_in_progress(period_end: date, today: date) -> str | None:
    """The key (`YYYY-MM-01`) of the current month when the period reaches into it."""
    start = date(today.year, today.month, 1)
    return start.isoformat() if period_end > start else None


def _percent(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def hours_and_rate(rows: list[MetricsRowOut], names: dict[str, str]) -> dict[str, Any]:
    """Bars of effective and external hours per group, with the sharing rate on a second axis;
    groups without use are left to the tables."""
    shown = [r for r in rows if r.effective_hours > 0][:MAX_BARS]
    return {
        "type": "bar",
        "data": {
            "labels": [r.label for r in shown],
            "datasets": [
                {"type": "bar", "label": names["effective"], "backgroundColor": BLUE,
                 "data": [r.effective_hours for r in shown], "yAxisID": "y"},
                {"type": "bar", "label": names["external"], "backgroundColor": GREEN,
                 "data": [r.external_hours for r in shown], "yAxisID": "y"},
                {"type": "line", "label": names["rate"], "borderColor": AMBER,
                 "backgroundColor": AMBER, "data": [_percent(r.sharing_rate) for r in shown],
                 "yAxisID": "y1"},
            ],
        },
        "options": _two_axes(names),
    }  # fmt: skip


def monthly_trend(
    rows: list[MetricsRowOut], names: dict[str, str], in_progress: str | None = None
) -> dict[str, Any]:
    """Lines per month: effective, external and cross-region hours, and the sharing rate; a
    month still in progress is labelled so (its lower figures are not a fall)."""

    def label(key: str) -> str:
        month = key[:7]
        return (
            f"{month} ({names['in_progress']})"
            if in_progress and key[:7] == in_progress[:7]
            else month
        )

    return {
        "type": "line",
        "data": {
            "labels": [label(r.key) for r in rows],
            "datasets": [
                {"label": names["effective"], "borderColor": BLUE, "backgroundColor": BLUE,
                 "data": [r.effective_hours for r in rows], "yAxisID": "y"},
                {"label": names["external"], "borderColor": GREEN, "backgroundColor": GREEN,
                 "data": [r.external_hours for r in rows], "yAxisID": "y"},
                {"label": names["cross"], "borderColor": GREY, "backgroundColor": GREY,
                 "data": [r.cross_region_hours for r in rows], "yAxisID": "y"},
                {"label": names["rate"], "borderColor": AMBER, "backgroundColor": AMBER,
                 "borderDash": [6, 4], "data": [_percent(r.sharing_rate) for r in rows],
                 "yAxisID": "y1"},
            ],
        },
        "options": _two_axes(names),
    }  # fmt: skip


def _two_axes(names: dict[str, str]) -> dict[str, Any]:
    return {
        "interaction": {"mode": "index", "intersect": False},
        "plugins": {"legend": {"position": "bottom", "labels": {"boxWidth": 14}}},
        "scales": {
            "y": {"beginAtZero": True, "title": {"display": True, "text": names["hours"]}},
            "y1": {"beginAtZero": True, "position": "right", "suggestedMax": 100,
                   "grid": {"drawOnChartArea": False},
                   "title": {"display": True, "text": names["rate_axis"]}},
        },
    }  # fmt: skip


@dataclass(frozen=True)
class HeatCell:
    hours: float
    colour: str
    #: Dark enough to need white text.
    dark: bool = False


@dataclass(frozen=True)
class HeatMap:
    """Rows: the users' regions; columns: the instruments' regions; cells: hours."""

    regions: list[FlowRegionOut]
    cells: dict[tuple[str, str], HeatCell]
    row_totals: dict[str, float]
    column_totals: dict[str, float]

    def cell(self, source: str, target: str) -> HeatCell:
        return self.cells.get((source, target), HeatCell(0.0, heat_colour(0, 1)))


def heat_map(regions: list[FlowRegionOut], matrix: list[FlowOut]) -> HeatMap:
    peak = max((m.hours for m in matrix), default=0.0)
    cells = {
        (m.from_region, m.to_region): HeatCell(
            m.hours, heat_colour(m.hours, peak), heat_text_is_white(m.hours, peak)
        )
        for m in matrix
    }
    rows: dict[str, float] = {}
    columns: dict[str, float] = {}
    for m in matrix:
        rows[m.from_region] = rows.get(m.from_region, 0.0) + m.hours
        columns[m.to_region] = columns.get(m.to_region, 0.0) + m.hours
    return HeatMap(regions, cells, rows, columns)


def ranked(
    rows: list[MetricsRowOut], count: int = 5, min_hours: float = MIN_RANKED_HOURS
) -> tuple[list[MetricsRowOut], list[MetricsRowOut]]:
    """The best and the worst shared instruments among those used at least `min_hours`
    (sharing rate, then effective hours); one used less is in neither list. With few
    instruments the two lists split them, so none appears in both."""
    used = [r for r in rows if r.effective_hours >= min_hours and r.sharing_rate is not None]
    order = sorted(used, key=lambda r: (-(r.sharing_rate or 0), -r.effective_hours, r.key))
    shown = min(count, (len(order) + 1) // 2)
    best = order[:shown]
    worst = list(reversed(order[shown:]))[:count]
    return best, worst
