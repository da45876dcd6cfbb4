"""Where a booking may start: the slot grid, the policy's time window, and bookable starts.

Pure functions (no I/O, `now` passed in), shared by availability and the booking engine so that
"offered as a slot" and "accepted as a booking" are one computation.

Conventions, all in the instrument's zone:
- the grid is the set of instants whose local wall-clock time is a whole multiple of
  `granularity_minutes` after local midnight (seconds zero); on a fall-back day the repeated
  hour therefore carries grid points twice, on a spring-forward day the missing hour none;
- a booking `[start, end)` must lie inside one open interval; its buffer does not need to,
  but `[start, end + buffer)` must not overlap any occupied interval;
- minimum notice bounds the start (`start >= now + notice`), the horizon bounds the end
  (`end <= now + horizon`), durations are elapsed time and multiples of the granularity, and
  both start and end lie on the grid (as `bookings.rules.time_violations` checks).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from service.availability.openings import Interval, covers, merge, subtract
from service.policies.schemas import Policy

_TICK = timedelta(microseconds=1)
_MINUTE = timedelta(minutes=1)


def is_on_grid(start: datetime, granularity_minutes: int, tz: ZoneInfo) -> bool:
    local = start.astimezone(tz)
    if local.second or local.microsecond:
        return False
    return (local.hour * 60 + local.minute) % granularity_minutes == 0


def next_grid_start(t: datetime, granularity_minutes: int, tz: ZoneInfo) -> datetime:
    """The first grid instant at or after `t` (UTC)."""
    t = t.astimezone(UTC)
    if is_on_grid(t, granularity_minutes, tz):
        return t
    local = t.astimezone(tz)
    since_midnight = timedelta(
        hours=local.hour, minutes=local.minute, seconds=local.second, microseconds=local.microsecond
    )
    step = timedelta(minutes=granularity_minutes)
    candidate = t + step * (since_midnight // step + 1) - since_midnight
    if candidate.astimezone(tz).utcoffset() == local.utcoffset():
        return candidate
    # A DST change lies in between: wall-clock arithmetic is off, so walk minute by minute.
    probe = t.replace(second=0, microsecond=0) + _MINUTE
    while not is_on_grid(probe, granularity_minutes, tz):
        probe += _MINUTE
    return probe


def slot_grid_starts(
    start: datetime, end: datetime, granularity_minutes: int, tz: ZoneInfo
) -> list[datetime]:
    """Grid instants in `[start, end)`, ascending."""
    out: list[datetime] = []
    s = next_grid_start(start, granularity_minutes, tz)
    while s < end:
        out.append(s)
        s = next_grid_start(s + _TICK, granularity_minutes, tz)
    return out


def duration_violations(duration: timedelta, policy: Policy) -> list[str]:
    """Rule codes broken by a booking length alone."""
    problems: list[str] = []
    if duration < timedelta(minutes=policy.min_minutes):
        problems.append("min_duration")
    if duration > timedelta(minutes=policy.max_minutes):
        problems.append("max_duration")
    if duration % timedelta(minutes=policy.granularity_minutes):
        problems.append("granularity")
    return problems


def earliest_start(policy: Policy, now: datetime) -> datetime:
    return now + timedelta(minutes=policy.min_notice_minutes)


def latest_end(policy: Policy, now: datetime) -> datetime:
    return now + timedelta(days=policy.horizon_days)


def occupied_range(start: datetime, end: datetime, policy: Policy) -> Interval:
    """What a booking claims in the exclusion constraint: its time plus the buffer after it."""
    return start, end + timedelta(minutes=policy.buffer_minutes)


def booking_violations(
    start: datetime,
    end: datetime,
    *,
    opens: list[Interval],
    occupied: list[Interval],
    policy: Policy,
    tz: ZoneInfo,
    now: datetime,
) -> list[str]:
    """Every time rule a booking `[start, end)` breaks (empty: it would be accepted)."""
    problems = duration_violations(end - start, policy)
    g = policy.granularity_minutes
    if not (is_on_grid(start, g, tz) and is_on_grid(end, g, tz)):
        problems.append("slot_grid")
    if start < earliest_start(policy, now):
        problems.append("min_notice")
    if end > latest_end(policy, now):
        problems.append("horizon")
    if not covers(opens, start, end):
        problems.append("opening_hours")
    claim_start, claim_end = occupied_range(start, end, policy)
    if any(a < claim_end and claim_start < b for a, b in occupied):
        problems.append("conflict")
    return problems


def bookable_starts(
    *,
    opens: list[Interval],
    occupied: list[Interval],
    duration: timedelta,
    policy: Policy,
    tz: ZoneInfo,
    now: datetime,
    window: Interval,
    limit: int | None = None,
) -> list[datetime]:
    """Grid starts in `window` at which a booking of `duration` breaks no time rule.

    Computed on intervals, not by testing each grid point: a start `s` fits an open interval
    `[a, b)` iff `a <= s <= b - duration`, and misses an occupied `[c, d)` iff
    `s >= d or s <= c - duration - buffer`.
    """
    if duration_violations(duration, policy):
        return []
    buffer = timedelta(minutes=policy.buffer_minutes)
    allowed = merge([(a, b - duration + _TICK) for a, b in opens if b - duration >= a])
    holes = [(c - duration - buffer + _TICK, d) for c, d in occupied]
    lo = max(window[0], earliest_start(policy, now))
    hi = min(window[1], latest_end(policy, now) - duration + _TICK)
    out: list[datetime] = []
    for a, b in subtract(allowed, holes):
        s = next_grid_start(max(a, lo), policy.granularity_minutes, tz)
        while s < min(b, hi):
            # Across a DST change a grid start plus a whole number of grid steps can end off
            # the grid (e.g. a 90-minute grid over the spring gap); the end must be on it too.
            if is_on_grid(s + duration, policy.granularity_minutes, tz):
                out.append(s)
                if limit is not None and len(out) >= limit:
                    return out
            s = next_grid_start(s + _TICK, policy.granularity_minutes, tz)
    return out
