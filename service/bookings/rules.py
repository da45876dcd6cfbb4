"""Booking rules as pure functions over plain data.

Every check runs and every failure is reported, so a refused user learns all that is wrong in one
answer. Local wall-clock rules (granularity, days, weeks) are evaluated in the instrument's zone,
never the booker's. Nothing here reads the clock: `now` is an argument.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import msgspec

from service.availability.openings import (
    Interval,
    WeeklyInterval,
    covers,
    open_intervals,
    subtract,
)
from service.common.codes import UNBOOKABLE_INSTRUMENT_STATUSES
from service.common.i18n import pick
from service.common.schemas import Violation
from service.common.time import local_days
from service.policies.rules import parse_hhmm
from service.policies.schemas import Policy

NOT_RUNNING = frozenset(UNBOOKABLE_INSTRUMENT_STATUSES)
#: What a manager's override sets aside: the policy's duration, notice, horizon, opening hours
#: and per-user limits. Never the past, the grid, who may book, the service ways, nor (in the
#: database) overlaps, maintenance and buffers.
OVERRIDABLE = frozenset(
    {
        "min_duration",
        "max_duration",
        "min_notice",
        "horizon",
        "outside_opening_hours",
        "daily_limit",
        "weekly_limit",
        "bookings_per_day_limit",
        "future_bookings_limit",
        "future_hours_limit",
        "min_gap",
    }
)
CENT = Decimal("0.01")


class InstrumentFacts(msgspec.Struct, frozen=True):
    id: int
    institution_id: int
    region_code: str
    zone: ZoneInfo
    status: str
    share_mode: str
    retired: bool


class BookerFacts(msgspec.Struct, frozen=True):
    user_id: int
    institution_id: int
    institution_kind: str
    region_code: str
    language: str
    #: Manages the instrument or administers its institution (or the platform).
    is_manager: bool
    #: The stated institution is proven: a verified membership in force, read in the
    #: booking's own transaction. Unproven, the booker is an unaffiliated individual.
    verified: bool = False


class Request(msgspec.Struct, frozen=True):
    start: datetime
    end: datetime
    service_way: str


class Load(msgspec.Struct, frozen=True):
    """The booker's other bookings on the instrument (not counting the one changed).

    `intervals` are the active ones near the request and also the time already used (a
    completed booking up to its check-out) or missed (a no-show): a cap on a day or a week
    counts what the person already had of it, not only what is still ahead.
    """

    intervals: tuple[Interval, ...] = ()
    future_count: int = 0
    #: Hours of active bookings after `now`.
    future_hours: float = 0.0

    def plus(self, start: datetime, end: datetime, now: datetime) -> Load:
        """The load once a booking of `[start, end)` is made too (series book one by one)."""
        ahead = max(timedelta(0), end - max(start, now)) / timedelta(hours=1)
        return Load(
            intervals=(*self.intervals, (start, end)),
            future_count=self.future_count + (1 if start > now else 0),
            future_hours=self.future_hours + ahead,
        )


def _v(rule: str, lang: str, zh: str, en: str) -> Violation:
    return Violation(rule=rule, message=pick(lang, zh, en))


def _aligned(at: datetime, tz: ZoneInfo, minutes: int) -> bool:
    local = at.astimezone(tz)
    since_midnight = local.hour * 60 + local.minute
    return local.second == 0 and local.microsecond == 0 and since_midnight % minutes == 0


def relaxed_intervals(policy: Policy, tz: ZoneInfo, lo: datetime, hi: datetime) -> list[Interval]:
    """The policy's relaxed windows as UTC intervals within `[lo, hi)` (touching windows merged,
    so Friday 20:00–24:00 and Saturday 00:00–24:00 make one stretch). Empty when the policy
    relaxes nothing.

    What "relaxed" means, rule by rule:
    - `max_duration`, `horizon`: not checked for a booking lying wholly inside the windows;
    - `daily_limit`, `weekly_limit`: time inside the windows is not counted (neither the new
      booking's nor the person's other bookings'), and a booking wholly inside them is not
      checked against the cap at all.
    Everything else (opening hours and closures, notice, grid, minimum duration, the other
    limits, overlaps and buffers) applies as always.
    """
    if not policy.relaxed_windows or not policy.relaxed_rules:
        return []
    weekly = [WeeklyInterval(d, parse_hhmm(a), parse_hhmm(b)) for d, a, b in policy.relaxed_windows]
    return open_intervals(lo, hi, weekly, [], tz=tz, always_open_without_hours=False)


def is_relaxed(policy: Policy, tz: ZoneInfo, req: Request, rule: str) -> bool:
    """Whether `rule` is switched off for this booking: relaxed by the policy, and the booking
    lies wholly inside the relaxed windows."""
    if rule not in policy.relaxed_rules:
        return False
    return covers(relaxed_intervals(policy, tz, req.start, req.end), req.start, req.end)


def time_violations(
    policy: Policy, tz: ZoneInfo, req: Request, now: datetime, *, lang: str
) -> list[Violation]:
    """Duration, grid, notice and horizon."""
    out: list[Violation] = []
    minutes = (req.end - req.start) / timedelta(minutes=1)
    if minutes < policy.min_minutes:
        out.append(
            _v(
                "min_duration",
                lang,
                f"预约时长不得少于 {policy.min_minutes} 分钟。",
                f"A booking must last at least {policy.min_minutes} minutes.",
            )
        )
    if minutes > policy.max_minutes and not is_relaxed(policy, tz, req, "max_duration"):
        out.append(
            _v(
                "max_duration",
                lang,
                f"预约时长不得超过 {policy.max_minutes} 分钟。",
                f"A booking may last at most {policy.max_minutes} minutes.",
            )
        )
    g = policy.granularity_minutes
    if not (_aligned(req.start, tz, g) and _aligned(req.end, tz, g)):
        out.append(
            _v(
                "granularity",
                lang,
                f"开始和结束时间须对齐到 {g} 分钟的时段（仪器所在时区）。",
                f"Start and end must fall on the {g}-minute grid in the instrument's time zone.",
            )
        )
    if req.start < now:
        out.append(_v("in_the_past", lang, "开始时间已过去。", "The start time is in the past."))
    elif req.start < now + timedelta(minutes=policy.min_notice_minutes):
        out.append(
            _v(
                "min_notice",
                lang,
                f"须至少提前 {policy.min_notice_minutes} 分钟预约。",
                f"Book at least {policy.min_notice_minutes} minutes in advance.",
            )
        )
    if req.end > now + timedelta(days=policy.horizon_days) and not is_relaxed(
        policy, tz, req, "horizon"
    ):
        out.append(
            _v(
                "horizon",
                lang,
                f"最多只能预约未来 {policy.horizon_days} 天内的时段。",
                f"Bookings may reach at most {policy.horizon_days} days ahead.",
            )
        )
    return out


def access_violations(
    policy: Policy, inst: InstrumentFacts, booker: BookerFacts, req: Request
) -> list[Violation]:
    """Who may book this instrument at all, and in which way."""
    lang = booker.language
    out: list[Violation] = []
    if inst.retired:
        out.append(
            _v(
                "instrument_retired",
                lang,
                "该仪器已退役，不可预约。",
                "The instrument is retired and cannot be booked.",
            )
        )
    if inst.status in NOT_RUNNING:
        out.append(
            _v(
                "instrument_not_running",
                lang,
                "该仪器待修或待报废，暂不可预约。",
                "The instrument is awaiting repair or disposal and cannot be booked.",
            )
        )
    if not booker.is_manager:
        if inst.share_mode == "none":
            out.append(
                _v(
                    "share_mode",
                    lang,
                    "该仪器不共享，只有仪器负责人可以预约。",
                    "This instrument is not shared: only its managers may book it.",
                )
            )
        elif inst.share_mode == "internal" and not is_internal(inst, booker):
            out.append(_internal_only(inst, booker))
    if req.service_way not in policy.service_ways:
        out.append(
            _v(
                "service_way_not_offered",
                lang,
                "该仪器不提供所选的服务方式。",
                "The instrument does not offer the chosen service way.",
            )
        )
    return out


def _internal_only(inst: InstrumentFacts, booker: BookerFacts) -> Violation:
    if booker.institution_id == inst.institution_id:
        return _v(
            "share_mode",
            booker.language,
            "该仪器仅对本单位开放；您的单位身份尚未验证。",
            "This instrument is shared within its own institution only, and your membership "
            "of the institution is not verified yet.",
        )
    return _v(
        "share_mode",
        booker.language,
        "该仪器仅对本单位开放。",
        "This instrument is shared within its own institution only.",
    )


def static_violations(
    policy: Policy,
    inst: InstrumentFacts,
    booker: BookerFacts,
    req: Request,
    *,
    open_intervals: list[Interval],
    now: datetime,
) -> list[Violation]:
    """All rules that do not depend on the booker's other bookings."""
    lang = booker.language
    out = access_violations(policy, inst, booker, req)
    out += time_violations(policy, inst.zone, req, now, lang=lang)
    if not covers(open_intervals, req.start, req.end):
        out.append(
            _v(
                "outside_opening_hours",
                lang,
                "所选时段不在开放时间内（含闭馆日）。",
                "The time lies outside the opening hours (or on a closed day).",
            )
        )
    return out


def _hours_on(day: date, intervals: list[Interval], tz: ZoneInfo) -> float:
    lo = datetime.combine(day, datetime.min.time(), tzinfo=tz)
    hi = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    return sum(max(0.0, (min(b, hi) - max(a, lo)) / timedelta(hours=1)) for a, b in intervals)


def _counted(policy: Policy, tz: ZoneInfo, every: list[Interval], rule: str) -> list[Interval]:
    """The intervals a cap counts: all of them, or their parts outside the relaxed windows
    when the policy relaxes that cap."""
    if rule not in policy.relaxed_rules or not every:
        return every
    holes = relaxed_intervals(policy, tz, min(a for a, _ in every), max(b for _, b in every))
    if not holes:
        return every
    return [piece for interval in every for piece in subtract([interval], holes)]


def _touches(day: date, interval: Interval, tz: ZoneInfo) -> bool:
    lo = datetime.combine(day, datetime.min.time(), tzinfo=tz)
    hi = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    return interval[0] < hi and interval[1] > lo


def limit_violations(
    policy: Policy, tz: ZoneInfo, req: Request, load: Load, *, lang: str, now: datetime
) -> list[Violation]:
    """Per-user limits: hours and bookings per local day, hours per ISO week (time used or
    missed earlier in the period included), future bookings and hours, the gap between two
    bookings of the same person."""
    out: list[Violation] = []
    every = [*load.intervals, (req.start, req.end)]
    days = local_days(req.start, req.end, tz)
    if policy.max_hours_per_day is not None and not is_relaxed(policy, tz, req, "daily_limit"):
        cap = float(policy.max_hours_per_day)
        counted = _counted(policy, tz, every, "daily_limit")
        if any(_hours_on(d, counted, tz) > cap + 1e-9 for d in days):
            out.append(
                _v(
                    "daily_limit",
                    lang,
                    f"每人每天最多预约 {cap:g} 小时（含当天已用和爽约的时间）。",
                    f"At most {cap:g} hours per person per day "
                    "(time already used or missed that day included).",
                )
            )
    if policy.max_hours_per_week is not None and not is_relaxed(policy, tz, req, "weekly_limit"):
        cap = float(policy.max_hours_per_week)
        counted = _counted(policy, tz, every, "weekly_limit")
        weeks = {d - timedelta(days=d.weekday()) for d in days}
        for monday in weeks:
            total = sum(_hours_on(monday + timedelta(days=i), counted, tz) for i in range(7))
            if total > cap + 1e-9:
                out.append(
                    _v(
                        "weekly_limit",
                        lang,
                        f"每人每周最多预约 {cap:g} 小时（含本周已用和爽约的时间）。",
                        f"At most {cap:g} hours per person per week "
                        "(time already used or missed that week included).",
                    )
                )
                break
    if policy.max_bookings_per_day is not None:
        n = policy.max_bookings_per_day
        if any(sum(_touches(d, i, tz) for i in every) > n for d in days):
            out.append(
                _v(
                    "bookings_per_day_limit",
                    lang,
                    f"每人每天最多 {n} 个预约（含当天已用和爽约的预约）。",
                    f"At most {n} bookings per person per day "
                    "(bookings already used or missed that day included).",
                )
            )
    if (
        policy.max_future_bookings is not None
        and load.future_count + 1 > policy.max_future_bookings
    ):
        n = policy.max_future_bookings
        out.append(
            _v(
                "future_bookings_limit",
                lang,
                f"每人最多可持有 {n} 个未来的预约。",
                f"At most {n} future bookings per person.",
            )
        )
    if policy.max_future_hours is not None:
        cap = float(policy.max_future_hours)
        ahead = max(timedelta(0), req.end - max(req.start, now)) / timedelta(hours=1)
        if load.future_hours + ahead > cap + 1e-9:
            out.append(
                _v(
                    "future_hours_limit",
                    lang,
                    f"每人持有的未来预约合计不得超过 {cap:g} 小时。",
                    f"At most {cap:g} hours of future bookings per person.",
                )
            )
    gap = timedelta(minutes=policy.min_gap_minutes)
    if gap and any(a < req.end + gap and req.start < b + gap for a, b in load.intervals):
        out.append(
            _v(
                "min_gap",
                lang,
                f"同一人的两个预约之间须至少间隔 {policy.min_gap_minutes} 分钟。",
                f"Your bookings must be at least {policy.min_gap_minutes} minutes apart.",
            )
        )
    return out


def is_internal(inst: InstrumentFacts, booker: BookerFacts) -> bool:
    """Belonging to the owning institution counts only when it is proven."""
    return booker.verified and booker.institution_id == inst.institution_id


def fee_class(inst: InstrumentFacts, booker: BookerFacts) -> str:
    """Internal for proven members; an unaffiliated individual pays the enterprise
    (commercial) rate, since the academic rate is a discount that needs a proven academic
    affiliation."""
    if is_internal(inst, booker):
        return "internal"
    if not booker.verified:
        return "enterprise"
    return "enterprise" if booker.institution_kind == "enterprise" else "external_academic"


def fee_per_hour(policy: Policy, klass: str) -> Decimal:
    return {
        "internal": policy.fee_internal,
        "external_academic": policy.fee_external_academic,
        "enterprise": policy.fee_enterprise,
    }[klass]


def estimated_cost(rate: Decimal, start: datetime, end: datetime) -> Decimal:
    seconds = Decimal(int((end - start).total_seconds()))
    return (rate * seconds / Decimal(3600)).quantize(CENT, rounding=ROUND_HALF_UP)


def needs_approval(policy: Policy, inst: InstrumentFacts, booker: BookerFacts) -> bool:
    """Managers and institution admins of the instrument never wait for themselves; an
    unaffiliated individual always waits, whatever the policy."""
    if booker.is_manager:
        return False
    if not booker.verified:
        return True
    if policy.approval == "none":
        return False
    return policy.approval == "all" or not is_internal(inst, booker)


def approval_deadline(policy: Policy, start: datetime, now: datetime) -> datetime:
    return min(now + timedelta(hours=policy.approval_deadline_hours), start)


def is_late_cancellation(policy: Policy, start: datetime, now: datetime) -> bool:
    return now > start - timedelta(hours=policy.late_cancel_hours)
