"""The rules of surveys. Pure: no database, no clock (`now` is given)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from service.metrics.periods import check_range
from service.surveys.schemas import AnswerItemIn, SurveyIn

#: Per-instrument results with fewer answers are shown to the institution's own admins without
#: figures: with one or two answers they could tell who answered.
MIN_ANSWERS_SHOWN = 3
#: A survey runs at most this long.
LONGEST = timedelta(days=180)


def survey_problems(data: SurveyIn, now: datetime) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    problem = check_range(data.date_from, data.date_to)
    if problem:
        found.append(("range", problem))
    if data.closes_at <= now:
        found.append(("closes_at", "The survey must close in the future."))
    elif data.closes_at > now + LONGEST:
        found.append(("closes_at", "A survey runs at most 180 days."))
    return found


def answer_problems(
    answers: Iterable[AnswerItemIn], invited: Iterable[int]
) -> list[tuple[str, str]]:
    """An answer per instrument the holder used, each at most once."""
    allowed = set(invited)
    seen: set[int] = set()
    found: list[tuple[str, str]] = []
    for item in answers:
        if item.instrument_id not in allowed:
            found.append(("instrument_id", f"Instrument {item.instrument_id} is not one you used."))
        elif item.instrument_id in seen:
            found.append(("instrument_id", f"Instrument {item.instrument_id} is answered twice."))
        seen.add(item.instrument_id)
    return found


def is_open(closes_at: datetime, closed_at: datetime | None, now: datetime) -> bool:
    return closed_at is None and now < closes_at


def shown_to(institution_id: int, *, platform: bool, evaluates: frozenset[int]) -> bool:
    """Whether a caller sees a group's figures however few answers it has: the platform and
    the institution's evaluators (third parties); its own admins see them from
    `MIN_ANSWERS_SHOWN` answers on, and never the comments."""
    return platform or institution_id in evaluates
