"""Tick arithmetic: which interval an instant falls in. Pure; the caller passes `now`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def tick_of(now: datetime, every: timedelta) -> datetime:
    """The start of the interval `now` falls in. Schedulers in different processes fire at
    different instants, but within one interval they agree on the tick, so the run is recorded
    (and done) once."""
    step = int(every.total_seconds() * 1_000_000)
    elapsed = (now - _EPOCH) // timedelta(microseconds=1)
    return _EPOCH + timedelta(microseconds=elapsed - elapsed % step)
