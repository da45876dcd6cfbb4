"""The slot grid and bookable starts: DST days, half-open edges, buffers, notice, horizon."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from service.availability.slots import (
    bookable_starts,
    booking_violations,
    duration_violations,
    is_on_grid,
    next_grid_start,
    slot_grid_starts,
)
from service.policies.schemas import Policy

BERLIN = ZoneInfo("Europe/Berlin")
SHANGHAI = ZoneInfo("Asia/Shanghai")
KOLKATA = ZoneInfo("Asia/Kolkata")  # +05:30: the local grid is not the UTC grid
NOW = datetime(2030, 6, 1, tzinfo=UTC)
H = timedelta(hours=1)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc, arg-type]


def test_grid_follows_local_wall_clock() -> None:
    assert is_on_grid(utc(2030, 6, 3, 3, 30), 60, KOLKATA)  # 09:00 local
    assert not is_on_grid(utc(2030, 6, 3, 3, 0), 60, KOLKATA)  # 08:30 local
    assert next_grid_start(utc(2030, 6, 3, 3, 1), 60, KOLKATA) == utc(2030, 6, 3, 3, 30)
    assert not is_on_grid(utc(2030, 6, 3, 3, 30, 1), 60, KOLKATA)


def test_grid_on_spring_forward_day_skips_the_missing_hour() -> None:
    starts = slot_grid_starts(utc(2030, 3, 30, 23), utc(2030, 3, 31, 3), 60, BERLIN)
    local = [s.astimezone(BERLIN).strftime("%H:%M%z") for s in starts]
    assert local == ["00:00+0100", "01:00+0100", "03:00+0200", "04:00+0200"]


def test_grid_on_fall_back_day_has_the_repeated_hour_twice() -> None:
    starts = slot_grid_starts(utc(2030, 10, 26, 23), utc(2030, 10, 27, 3), 60, BERLIN)
    local = [s.astimezone(BERLIN).strftime("%H:%M%z") for s in starts]
    assert local == ["01:00+0200", "02:00+0200", "02:00+0100", "03:00+0100"]
    assert all(b - a == H for a, b in zip(starts, starts[1:], strict=False))


def test_duration_rules() -> None:
    policy = Policy(min_minutes=60, max_minutes=180, granularity_minutes=30)
    assert duration_violations(timedelta(minutes=30), policy) == ["min_duration"]
    assert duration_violations(timedelta(minutes=210), policy) == ["max_duration"]
    assert duration_violations(timedelta(minutes=75), policy) == ["granularity"]
    assert duration_violations(timedelta(minutes=90), policy) == []


def _starts(
    policy: Policy, occupied: list[tuple[datetime, datetime]], duration: timedelta
) -> list[str]:
    opens = [(utc(2030, 6, 3, 1), utc(2030, 6, 3, 9))]  # 09:00–17:00 Shanghai
    got = bookable_starts(
        opens=opens,
        occupied=occupied,
        duration=duration,
        policy=policy,
        tz=SHANGHAI,
        now=NOW,
        window=(utc(2030, 6, 3), utc(2030, 6, 4)),
    )
    return [s.strftime("%H:%M") for s in got]


def test_half_open_edges() -> None:
    policy = Policy(min_minutes=60, granularity_minutes=60, min_notice_minutes=0)
    occupied = [(utc(2030, 6, 3, 2), utc(2030, 6, 3, 3))]
    # 02:00–03:00Z taken: 01:00 (ends 02:00) and 03:00 (starts where it ends) are both fine.
    assert _starts(policy, occupied, H) == [
        "01:00",
        "03:00",
        "04:00",
        "05:00",
        "06:00",
        "07:00",
        "08:00",
    ]


def test_own_buffer_must_not_run_into_the_next_booking() -> None:
    policy = Policy(min_minutes=60, granularity_minutes=60, buffer_minutes=30, min_notice_minutes=0)
    occupied = [(utc(2030, 6, 3, 3), utc(2030, 6, 3, 4))]
    # 02:00 would occupy until 03:30: refused. The last start 08:00 ends at closing; its
    # buffer may run past closing time.
    assert _starts(policy, occupied, H) == ["01:00", "04:00", "05:00", "06:00", "07:00", "08:00"]


def test_notice_and_horizon_bound_the_starts() -> None:
    policy = Policy(min_minutes=60, granularity_minutes=60, min_notice_minutes=60 * 24 * 2 + 240)
    got = _starts(policy, [], H)  # earliest start: 2030-06-03 04:00Z
    assert got == ["04:00", "05:00", "06:00", "07:00", "08:00"]
    short = Policy(min_minutes=60, granularity_minutes=60, min_notice_minutes=0, horizon_days=1)
    assert _starts(short, [], H) == []


def test_every_offered_start_passes_the_booking_check() -> None:
    policy = Policy(min_minutes=30, granularity_minutes=15, buffer_minutes=10, min_notice_minutes=0)
    occupied = [(utc(2030, 6, 3, 2, 20), utc(2030, 6, 3, 3, 5))]
    opens = [(utc(2030, 6, 3, 1), utc(2030, 6, 3, 9))]
    duration = timedelta(minutes=45)
    offered = bookable_starts(
        opens=opens,
        occupied=occupied,
        duration=duration,
        policy=policy,
        tz=SHANGHAI,
        now=NOW,
        window=(utc(2030, 6, 3), utc(2030, 6, 4)),
    )
    every = slot_grid_starts(utc(2030, 6, 3), utc(2030, 6, 4), 15, SHANGHAI)
    for s in every:
        ok = not booking_violations(
            s, s + duration, opens=opens, occupied=occupied, policy=policy, tz=SHANGHAI, now=NOW
        )
        assert ok == (s in offered), s
    assert utc(2030, 6, 3, 1, 15) in offered and utc(2030, 6, 3, 1, 30) not in offered


def test_end_must_be_on_the_grid_across_the_spring_gap() -> None:
    # 90-minute grid in Berlin on 2030-03-31: 00:00 + 3 h elapsed ends at 04:00 CEST, off-grid.
    policy = Policy(min_minutes=180, max_minutes=180, granularity_minutes=90, min_notice_minutes=0)
    day = (utc(2030, 3, 30, 23), utc(2030, 3, 31, 4))
    offered = bookable_starts(
        opens=[day],
        occupied=[],
        duration=3 * H,
        policy=policy,
        tz=BERLIN,
        now=datetime(2030, 3, 1, tzinfo=UTC),
        window=day,
    )
    assert utc(2030, 3, 30, 23) not in offered  # 00:00 CET → 04:00 CEST
    # 01:30 CET → 05:30 CEST is off the grid too; 03:00 CEST → 06:00 CEST is on it.
    assert offered == [utc(2030, 3, 31, 1)]
    assert booking_violations(
        utc(2030, 3, 30, 23),
        utc(2030, 3, 31, 2),
        opens=[day],
        occupied=[],
        policy=policy,
        tz=BERLIN,
        now=datetime(2030, 3, 1, tzinfo=UTC),
    ) == ["slot_grid"]
