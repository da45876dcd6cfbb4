"""Which extra roll-up work a set of days calls for. Pure: no database, no clock.

- `outside_days`: the days of sessions that cross the edges of a rebuilt range, outside it, so a
  rebuild never leaves a session half-counted (one part recomputed, the other stale).
- `group_claimed`: claimed dirty instrument-days turned into roll-up calls, one per calendar
  month: the instruments dirty in that month and the span of their dirty days.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

#: (instrument ids, first local day, day after the last)
Work = tuple[list[int], date, date]


def _by_span(spans: Iterable[tuple[int, date, date]]) -> list[Work]:
    grouped: dict[tuple[date, date], set[int]] = defaultdict(set)
    for instrument_id, lo, hi in spans:
        if lo < hi:
            grouped[(lo, hi)].add(instrument_id)
    return [(sorted(ids), lo, hi) for (lo, hi), ids in sorted(grouped.items())]


def outside_days(edges: Iterable[Mapping[str, Any]], date_from: date, date_to: date) -> list[Work]:
    """`edges` rows: `instrument_id`, `first_day` and `after_day` of a session (local dates,
    half-open) and `horizon`, the day after today in the instrument's zone (days not begun
    have no figures). Returns the spans before `date_from` and from `date_to` on."""
    spans: list[tuple[int, date, date]] = []
    for e in edges:
        spans.append((e["instrument_id"], e["first_day"], min(date_from, e["horizon"])))
        spans.append((e["instrument_id"], date_to, min(e["after_day"], e["horizon"])))
    return _by_span(spans)


def group_claimed(claimed: Iterable[tuple[int, date]]) -> list[Work]:
    """One piece of work per month: the instruments with a dirty day in it, over the days from
    the first to the last dirty one of any of them."""
    months: dict[tuple[int, int], list[tuple[int, date]]] = defaultdict(list)
    for instrument_id, day in claimed:
        months[(day.year, day.month)].append((instrument_id, day))
    work: list[Work] = []
    for key in sorted(months):
        rows = months[key]
        ids = sorted({i for i, _ in rows})
        days = [d for _, d in rows]
        work.append((ids, min(days), max(days) + timedelta(days=1)))
    return work
