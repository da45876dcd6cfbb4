"""The pure booking rules and the recurrence expansion, without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from service.bookings import rules
from service.bookings.recurrence import RecurrenceError, expand
from service.bookings.rules import BookerFacts, InstrumentFacts, Load, Request
from service.policies.schemas import Policy

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2027, 3, 1, 0, 0, tzinfo=UTC)
INST = InstrumentFacts(1, 10, "220100", SHANGHAI, "normal", "external", False)


def booker(
    institution: int = 10,
    kind: str = "university",
    manager: bool = False,
    region: str = "220100",
    verified: bool = True,
) -> BookerFacts:
    return BookerFacts(7, institution, kind, region, "en", manager, verified)


def at(day: int, hour: int, minute: int = 0, tz: ZoneInfo = SHANGHAI) -> datetime:
    return datetime(2027, 3, day, hour, minute, tzinfo=tz)


def check(
    policy: Policy, req: Request, who: BookerFacts | None = None, inst: InstrumentFacts = INST
) -> set[str]:
    opening = [(at(1, 0), at(31, 0))]
    return {
        v.rule
        for v in rules.static_violations(
            policy, inst, who or booker(), req, open_intervals=opening, now=NOW
        )
    }


def test_a_good_request_passes() -> None:
    assert check(Policy(), Request(at(3, 9), at(3, 10), "occupy")) == set()


def test_granularity_is_local() -> None:
    # 09:30 Shanghai is 01:30 UTC: aligned on a 30-minute grid, not on a 60-minute one.
    assert (
        check(Policy(granularity_minutes=30), Request(at(3, 9, 30), at(3, 10, 30), "occupy"))
        == set()
    )
    assert "granularity" in check(
        Policy(granularity_minutes=60), Request(at(3, 9, 30), at(3, 10, 30), "occupy")
    )
    # Kathmandu is UTC+05:45: local 09:00 is 03:15 UTC, still on the local hour grid.
    kathmandu = ZoneInfo("Asia/Kathmandu")
    inst = InstrumentFacts(1, 10, "X", kathmandu, "normal", "external", False)
    req = Request(at(3, 9, tz=kathmandu), at(3, 10, tz=kathmandu), "occupy")
    assert check(Policy(granularity_minutes=60), req, inst=inst) == set()


def test_all_time_rules_together() -> None:
    policy = Policy(min_minutes=60, max_minutes=120, horizon_days=5, granularity_minutes=30)
    assert check(policy, Request(at(20, 9, 10), at(20, 9, 20), "remote")) == {
        "min_duration",
        "granularity",
        "horizon",
    }


def test_past_and_notice() -> None:
    past = Request(NOW - timedelta(hours=2), NOW - timedelta(hours=1), "occupy")
    assert check(Policy(), past) == {"in_the_past"}
    soon = Request(NOW + timedelta(minutes=30), NOW + timedelta(minutes=90), "occupy")
    assert check(Policy(min_notice_minutes=60), soon) == {"min_notice"}


def test_outside_opening_hours() -> None:
    req = Request(at(3, 9), at(3, 10), "occupy")
    found = rules.static_violations(
        Policy(), INST, booker(), req, open_intervals=[(at(3, 9, 30), at(3, 18))], now=NOW
    )
    assert [v.rule for v in found] == ["outside_opening_hours"]


def test_share_modes_and_status() -> None:
    req = Request(at(3, 9), at(3, 10), "occupy")
    internal = InstrumentFacts(1, 10, "220100", SHANGHAI, "normal", "internal", False)
    assert check(Policy(), req, booker(institution=11), internal) == {"share_mode"}
    assert check(Policy(), req, booker(institution=10), internal) == set()
    closed = InstrumentFacts(1, 10, "220100", SHANGHAI, "awaiting_scrap", "none", True)
    assert check(Policy(), req, booker(), closed) == {
        "share_mode",
        "instrument_not_running",
        "instrument_retired",
    }
    assert check(Policy(), req, booker(manager=True), closed) == {
        "instrument_not_running",
        "instrument_retired",
    }
    assert check(Policy(service_ways=("remote",)), req) == {"service_way_not_offered"}


def test_limits_count_local_days_and_weeks() -> None:
    policy = Policy(
        max_hours_per_day=Decimal("2"), max_hours_per_week=Decimal("5"), max_future_bookings=2
    )
    load = Load(intervals=((at(1, 9), at(1, 10)), (at(2, 9), at(2, 12))), future_count=2)
    found = {
        v.rule
        for v in rules.limit_violations(
            policy, SHANGHAI, Request(at(1, 13), at(1, 15), "occupy"), load, lang="en", now=at(1, 0)
        )
    }
    assert found == {"daily_limit", "weekly_limit", "future_bookings_limit"}
    # The same hours on the following Monday are another week and another day.
    light = Load(intervals=load.intervals, future_count=0)
    assert (
        rules.limit_violations(
            policy,
            SHANGHAI,
            Request(at(8, 13), at(8, 15), "occupy"),
            light,
            lang="en",
            now=at(1, 0),
        )
        == []
    )


def test_fees_and_approval() -> None:
    assert rules.fee_class(INST, booker()) == "internal"
    assert rules.fee_class(INST, booker(institution=11)) == "external_academic"
    assert rules.fee_class(INST, booker(institution=11, kind="enterprise")) == "enterprise"
    policy = Policy(fee_external_academic=Decimal("120"))
    assert rules.estimated_cost(Decimal("120"), at(3, 9), at(3, 10, 30)) == Decimal("180.00")
    assert rules.needs_approval(policy, INST, booker(institution=11))
    assert not rules.needs_approval(policy, INST, booker())
    assert rules.needs_approval(Policy(approval="all"), INST, booker())
    assert not rules.needs_approval(Policy(approval="all"), INST, booker(manager=True))
    assert rules.approval_deadline(Policy(approval_deadline_hours=48), at(2, 9), NOW) == at(2, 9)


def test_weekly_rule_keeps_local_time_across_dst() -> None:
    start = datetime(2027, 3, 1, 9, 0, tzinfo=NEW_YORK)  # DST starts 14 March 2027
    out = expand("FREQ=WEEKLY;BYDAY=MO;COUNT=4", start, start + timedelta(hours=1), NEW_YORK)
    assert [s.astimezone(NEW_YORK).hour for s, _ in out] == [9, 9, 9, 9]
    assert {s.astimezone(UTC).hour for s, _ in out} == {14, 13}
    assert all(e - s == timedelta(hours=1) for s, e in out)


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=MONTHLY;COUNT=2",
        "FREQ=DAILY",
        "FREQ=DAILY;COUNT=53",
        "FREQ=DAILY;COUNT=2;UNTIL=20270301",
        "nonsense",
        "FREQ=DAILY;UNTIL=20990101",
    ],
)
def test_bad_rules(rule: str) -> None:
    start = datetime(2027, 3, 1, 9, tzinfo=SHANGHAI)
    with pytest.raises(RecurrenceError):
        expand(rule, start, start + timedelta(hours=1), SHANGHAI)


def test_until_in_utc_is_read_in_local_time() -> None:
    start = datetime(2027, 3, 1, 9, tzinfo=SHANGHAI)
    out = expand("FREQ=DAILY;UNTIL=20270303T010000Z", start, start + timedelta(hours=1), SHANGHAI)
    assert len(out) == 3


def test_an_unverified_claim_earns_neither_membership_nor_a_discount() -> None:
    from service.bookings.rules import fee_class, is_internal, needs_approval

    internal = InstrumentFacts(1, 10, "220100", SHANGHAI, "normal", "internal", False)
    req = Request(at(8, 9), at(8, 10), "occupy")
    claimant = booker(institution=10, verified=False)
    assert not is_internal(internal, claimant)
    assert check(Policy(), req, claimant, internal) == {"share_mode"}
    assert fee_class(internal, claimant) == "enterprise"
    assert fee_class(internal, booker(institution=11, verified=False)) == "enterprise"
    assert fee_class(internal, booker(institution=11)) == "external_academic"
    assert fee_class(internal, booker(institution=10)) == "internal"
    for approval in ("none", "external", "all"):
        assert needs_approval(Policy(approval=approval), internal, claimant)
    assert not needs_approval(Policy(approval="external"), internal, booker(institution=10))
    # Managers are appointed by the institution's admins: they never wait for themselves.
    assert not needs_approval(Policy(), internal, booker(verified=False, manager=True))


def test_bookings_per_day_count_local_days_and_a_gap_keeps_one_persons_bookings_apart() -> None:
    policy = Policy(max_bookings_per_day=2, min_gap_minutes=30)
    load = Load(intervals=((at(1, 9), at(1, 10)), (at(1, 23), at(2, 1))))
    # 23:00-01:00 touches both days: the 1st already has two bookings, the 2nd one.
    on_first = Request(at(1, 14), at(1, 15), "occupy")
    on_second = Request(at(2, 14), at(2, 15), "occupy")
    assert [
        v.rule
        for v in rules.limit_violations(policy, SHANGHAI, on_first, load, lang="en", now=at(1, 0))
    ] == ["bookings_per_day_limit"]
    assert rules.limit_violations(policy, SHANGHAI, on_second, load, lang="en", now=at(1, 0)) == []
    near = Request(at(2, 1, 15), at(2, 2), "occupy")
    assert [
        v.rule
        for v in rules.limit_violations(policy, SHANGHAI, near, load, lang="zh-CN", now=at(1, 0))
    ] == ["min_gap"]
    apart = Request(at(2, 1, 30), at(2, 2), "occupy")
    assert rules.limit_violations(policy, SHANGHAI, apart, load, lang="en", now=at(1, 0)) == []


def test_future_hours_count_only_what_is_ahead_of_now() -> None:
    policy = Policy(max_future_hours=Decimal("3"))
    load = Load().plus(at(1, 9), at(1, 12), at(1, 10))  # started an hour ago: 2 h ahead
    assert load.future_hours == 2 and load.future_count == 0
    one = Request(at(3, 9), at(3, 10), "occupy")
    two = Request(at(3, 9), at(3, 11), "occupy")
    assert rules.limit_violations(policy, SHANGHAI, one, load, lang="en", now=at(1, 10)) == []
    assert [
        v.rule
        for v in rules.limit_violations(policy, SHANGHAI, two, load, lang="en", now=at(1, 10))
    ] == ["future_hours_limit"]


def test_relaxed_windows_switch_off_only_the_chosen_rules_and_only_wholly_inside_them() -> None:
    # Weekends (Friday 20:00 to Monday 08:00) relax the duration and the daily cap.
    weekend = (
        (5, "20:00", "24:00"),
        (6, "00:00", "24:00"),
        (7, "00:00", "24:00"),
        (1, "00:00", "08:00"),
    )
    policy = Policy(
        max_minutes=240,
        max_hours_per_day=Decimal("4"),
        max_hours_per_week=Decimal("10"),
        relaxed_windows=weekend,
        relaxed_rules=("max_duration", "daily_limit"),
    )
    friday = 5  # 2027-03-05 is a Friday
    long_weekend = Request(at(friday, 20), at(friday + 3, 8), "occupy")  # 60 h, Fri night to Mon
    now = at(1, 0)
    assert rules.time_violations(policy, SHANGHAI, long_weekend, now, lang="en") == []
    # Not relaxed: the weekly cap.
    found = rules.limit_violations(policy, SHANGHAI, long_weekend, Load(), lang="en", now=now)
    assert [v.rule for v in found] == ["weekly_limit"]
    # A booking reaching out of the window is held to every rule.
    spill = Request(at(friday, 14), at(friday, 22), "occupy")
    assert {v.rule for v in rules.time_violations(policy, SHANGHAI, spill, now, lang="en")} == {
        "max_duration"
    }
    # Time inside the window does not count against the relaxed daily cap: 6 h on Friday
    # evening-night plus 4 h of daytime fits a 4 h cap.
    night = Load(intervals=((at(friday, 20), at(friday + 1, 2)),))
    day = Request(at(friday, 9), at(friday, 13), "occupy")
    assert rules.limit_violations(policy, SHANGHAI, day, night, lang="en", now=now) == []
    unrelaxed = Policy(max_hours_per_day=Decimal("4"))
    assert [
        v.rule for v in rules.limit_violations(unrelaxed, SHANGHAI, day, night, lang="en", now=now)
    ] == ["daily_limit"]
