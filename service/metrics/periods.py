"""Calendar arithmetic of the metrics: ranges of local dates, their split into the grains the
roll-up stores, and quota hours pro-rated to a range.

A range is half-open `[date_from, date_to)` of local dates in each instrument's own zone, so
"March" means the instrument's local March wherever it stands.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

Grain = Literal["day", "month", "year"]

#: Longest range the API accepts, in years.
MAX_YEARS = 10
#: Latest `to` accepted: the decomposition looks one year ahead of each day it covers, and the
#: year after 9999 is not a date.
MAX_TO = date(9999, 1, 1)


@dataclass(frozen=True, slots=True)
class Segment:
    """Rows of one grain whose period starts in `[lo, hi)`."""

    grain: Grain
    lo: date
    hi: date


def next_month(d: date) -> date:
    return date(d.year + d.month // 12, d.month % 12 + 1, 1)


def month_start(d: date) -> date:
    return d.replace(day=1)


def days_in_year(year: int) -> int:
    return (date(year + 1, 1, 1) - date(year, 1, 1)).days


def check_range(date_from: date, date_to: date) -> str | None:
    """Why the range is unusable, or None."""
    if date_to <= date_from:
        return "'to' must be after 'from' (the range is [from, to))."
    if date_to > MAX_TO:
        return f"'to' may be at most {MAX_TO.isoformat()}."
    if date_from.year + MAX_YEARS <= date.max.year and date_to > _add_years(date_from, MAX_YEARS):
        return f"The range may span at most {MAX_YEARS} years."
    return None


def _add_years(d: date, n: int) -> date:
    try:
        return d.replace(year=d.year + n)
    except ValueError:  # 29 February
        return d.replace(year=d.year + n, day=28)


def decompose(date_from: date, date_to: date, allow_years: bool = True) -> list[Segment]:
    """Cover `[date_from, date_to)` with the fewest rows: whole years, whole months, then days."""
    pieces: list[Segment] = []
    c = date_from
    while c < date_to:
        year_end = date(c.year + 1, 1, 1)
        month_end = next_month(c)
        if allow_years and c.month == 1 and c.day == 1 and year_end <= date_to:
            pieces.append(Segment("year", c, year_end))
            c = year_end
        elif c.day == 1 and month_end <= date_to:
            pieces.append(Segment("month", c, month_end))
            c = month_end
        else:
            end = min(month_end, date_to)
            pieces.append(Segment("day", c, end))
            c = end
    merged: list[Segment] = []
    for seg in pieces:
        if merged and merged[-1].grain == seg.grain and merged[-1].hi == seg.lo:
            merged[-1] = Segment(seg.grain, merged[-1].lo, seg.hi)
        else:
            merged.append(seg)
    return merged


def month_chunks(date_from: date, date_to: date) -> list[tuple[date, date]]:
    """`[date_from, date_to)` cut at the first of each month."""
    chunks: list[tuple[date, date]] = []
    c = date_from
    while c < date_to:
        end = min(next_month(c), date_to)
        chunks.append((c, end))
        c = end
    return chunks


def buckets(date_from: date, date_to: date, grain: Literal["month", "year"]) -> list[str]:
    """Keys of the months ("2025-03") or years ("2025") touched by the range, in order."""
    keys: list[str] = []
    for lo, _ in month_chunks(date_from, date_to):
        key = f"{lo.year:04d}-{lo.month:02d}" if grain == "month" else f"{lo.year:04d}"
        if not keys or keys[-1] != key:
            keys.append(key)
    return keys


def year_fraction(date_from: date, date_to: date, bucket: str | None = None) -> float:
    """How many years' worth of quota the range holds: each day counts 1/365 or 1/366 of its
    year. With `bucket` ("2025" or "2025-03") only the days inside that bucket count."""
    total = 0.0
    for lo, hi in month_chunks(date_from, date_to):
        key_m = f"{lo.year:04d}-{lo.month:02d}"
        if bucket is not None and bucket not in (key_m, f"{lo.year:04d}"):
            continue
        total += (hi - lo).days / days_in_year(lo.year)
    return total


def quota_hours(
    n_general: int, n_special: int, fraction: float, general_hours: int, *, special_hours: int
) -> float:
    return fraction * (n_general * general_hours + n_special * special_hours)


def month_pieces(date_from: date, date_to: date, allow_years: bool = True) -> list[Segment]:
    """`decompose`, with each run of days cut at the first of the month: a "day" segment then
    lies inside one month, so it is read from that month's running totals."""
    out: list[Segment] = []
    for seg in decompose(date_from, date_to, allow_years):
        if seg.grain != "day":
            out.append(seg)
            continue
        out.extend(Segment("day", lo, hi) for lo, hi in month_chunks(seg.lo, seg.hi))
    return out
