"""Pure delivery rules: backoff with jitter over a retry horizon, expiry of notices that no
longer make sense, reminder relevance."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from service.notifications.rules import RetryPolicy, after_failure, expiry_reason

T = datetime(2031, 5, 1, 8, tzinfo=UTC)
POLICY = RetryPolicy(
    base=timedelta(seconds=30), cap=timedelta(hours=1), horizon=timedelta(hours=48)
)


def test_delays_double_up_to_the_cap_and_jitter_keeps_the_upper_half() -> None:
    full = [POLICY.delay(n, 1.0).total_seconds() for n in range(1, 10)]
    assert full == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]
    assert [POLICY.delay(n, 0.0).total_seconds() for n in (1, 2, 9)] == [15, 30, 1800]
    assert POLICY.delay(1000, 0.5) == timedelta(minutes=45)  # no overflow far out


def test_a_failing_notice_is_retried_for_the_whole_horizon_then_dies() -> None:
    first, at, tries = T, T, 0
    while True:
        tries += 1
        state, next_at = after_failure(tries, at, first if tries > 1 else None, POLICY, jitter=0.5)
        if state == "dead":
            break
        assert at < next_at <= first + POLICY.horizon
        at = next_at
    assert at == first + POLICY.horizon  # the last try falls on the horizon itself
    assert 45 < tries < 120  # not four tries in eight minutes
    assert after_failure(1, T, None, POLICY, jitter=0.0) == ("pending", T + timedelta(seconds=15))


@pytest.mark.parametrize(
    ("kind", "written", "live", "starts", "expected"),
    [
        ("booking_confirmed", 2, 2, T + timedelta(days=1), None),
        ("booking_confirmed", 2, 3, T + timedelta(days=1), "booking_changed"),
        ("approval_needed", 1, 2, T + timedelta(days=1), "booking_changed"),
        ("booking_confirmed", 2, None, None, "booking_gone"),
        ("booking_confirmed", 2, 2, T - timedelta(minutes=1), None),  # late but still true
        ("reminder", 2, 2, T - timedelta(minutes=1), "booking_started"),
        ("reminder", 2, 2, T, "booking_started"),
        ("reminder", 2, 2, T + timedelta(minutes=1), None),
        ("password_reset", None, None, None, None),  # not about a booking
    ],
)
def test_expiry(
    kind: str,
    written: int | None,
    live: int | None,
    starts: datetime | None,
    expected: str | None,
) -> None:
    reason = expiry_reason(
        kind=kind, now=T, written_version=written, live_version=live, live_starts_at=starts
    )
    assert reason == expected
