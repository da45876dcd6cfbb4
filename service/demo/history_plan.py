"""A year of demo usage as plain values: who used which instrument when, and how it went.

Pure and deterministic: the same places, people and `today` give the same visits in the same
order (ids are only carried through), so the demo tells the same story on every machine and
always ends yesterday. Per instrument, local days are filled left to right inside the opening
hours, each slot starting after the previous one's buffer, so active bookings never overlap.
This module holds the vocabulary and the calendar; `demo_history_visits` tells each visit.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import NamedTuple
from zoneinfo import ZoneInfo

from service.bookings.rules import estimated_cost
from service.common.time import local_to_utc
from service.metrics.periods import month_start

HISTORY_SEED = 2026
#: Local hours used on instruments open around the clock (nobody books them at 3 a.m. here).
ALWAYS = (time(7, 0), time(23, 0))
DURATIONS = (90, 120, 180, 240, 240, 300, 360, 420, 480)
WAY_WEIGHTS = (35, 25, 35, 5)
SAMPLES = {"occupy": (1, 12), "technical": (2, 20), "entrusted": (5, 40), "remote": (1, 8)}
#: Chance that an instrument in this running status has any history at all.
USED = {"normal": 0.6, "remote": 0.6, "standby": 0.25, "occasional_fault": 0.45,
        "frequent_fault": 0.3, "awaiting_repair": 0.2, "awaiting_scrap": 0.0}  # fmt: skip
RATINGS = (5, 4, 3, 2, 1)
RATING_WEIGHTS = (50, 32, 12, 4, 2)
COMMENTS = ("数据质量很好，老师指导耐心。", "预约方便，准时开机。", "Very helpful staff.",
            "样品处理及时。", "机时紧张，希望增加开放时间。", "Clear results, quick turnaround.")  # fmt: skip
PURPOSES = ("课题组常规样品测试", "国家自然科学基金项目样品表征", "毕业论文实验数据采集",
            "企业委托检测", "合作项目联合测试", "方法开发与条件优化",
            "Sample characterisation for a joint project", "Pilot measurements for a grant proposal")  # fmt: skip
REJECT_REASONS = ("该时段仪器需校准，请改约其他时间。", "样品类型不适合本仪器，请联系负责人。")


class Place(NamedTuple):
    """An instrument as the history sees it."""

    id: int
    institution_id: int
    region: str
    zone: ZoneInfo
    share_mode: str
    status: str
    #: local opening intervals per ISO weekday; empty: open around the clock
    weekly: dict[int, list[tuple[time, time]]]
    #: per hour: internal, external academic, enterprise
    fees: tuple[Decimal, Decimal, Decimal]
    buffer: timedelta
    approval: str
    #: who decides requests and records staff-run work (managers, else institution admins)
    staff: tuple[int, ...]
    showcase: bool


class Person(NamedTuple):
    id: int
    institution_id: int
    region: str
    enterprise: bool


Event = tuple[datetime, int | None, str, str | None, str | None, str]


@dataclass
class Visit:
    """A booking with its history and what really happened, or (person None) the owning
    group's own use without a booking."""

    place: Place
    person: Person | None
    start: datetime
    end: datetime
    status: str
    service_way: str
    events: list[Event] = field(default_factory=list)
    purpose: str = ""
    late: bool = False
    deadline: datetime | None = None
    #: (started, ended, samples)
    session: tuple[datetime, datetime, int] | None = None
    #: (rating, comment, created)
    rating: tuple[int, str, datetime] | None = None

    @property
    def external(self) -> bool:
        return self.person is not None and self.person.institution_id != self.place.institution_id

    @property
    def fee_class(self) -> str:
        if not self.external:
            return "internal"
        return (
            "enterprise"
            if self.person is not None and self.person.enterprise
            else "external_academic"
        )

    @property
    def fee(self) -> Decimal:
        fees = self.place.fees
        return {"internal": fees[0], "external_academic": fees[1], "enterprise": fees[2]}[
            self.fee_class
        ]

    def amount(self) -> Decimal:
        if self.session is None or self.person is None:
            return Decimal(0)
        return estimated_cost(self.fee, self.session[0], self.session[1])


class Profile(NamedTuple):
    busy: float  # chance that an open day sees use
    external: float  # chance that a slot serves another institution
    cross: float  # chance that such a user comes from another region


def first_day(today: date) -> date:
    """The first of the month twelve months back: a year of full months plus this one."""
    start = month_start(today)
    return start.replace(year=start.year - 1)


def windows(place: Place, day: date) -> list[tuple[time, time]]:
    if not place.weekly:
        return [ALWAYS]
    return place.weekly.get(day.isoweekday(), [])


def profile(rng: random.Random, place: Place, centre: str) -> Profile | None:
    used = rng.random() < (0.95 if place.showcase else USED.get(place.status, 0.0))
    busy = rng.uniform(0.5, 0.8) if place.showcase else rng.uniform(0.05, 0.3)
    mix = rng.random()
    low, high = (0.0, 0.1) if mix < 0.2 else (0.3, 0.6) if mix < 0.75 else (0.65, 0.95)
    share = rng.uniform(low, high) if place.share_mode == "external" else 0.0
    cross = rng.uniform(0.15, 0.4) if place.region == centre else rng.uniform(0.45, 0.85)
    return Profile(busy, share, cross) if used else None


def slots(
    rng: random.Random, place: Place, day: date, limit: int = 2
) -> Iterator[tuple[datetime, datetime]]:
    """Non-overlapping `[start, end)` on one local day, inside its opening hours, each start
    at least the buffer after the previous end and on the half hour."""
    for opens, closes in windows(place, day):
        lo = opens.hour * 60 + opens.minute + 30 * rng.randrange(0, 4)
        hi = closes.hour * 60 + closes.minute
        buffer = int(place.buffer.total_seconds() // 60)
        for _ in range(limit):
            minutes = rng.choice(DURATIONS)
            if lo + minutes > hi:
                break
            yield at_local(place, day, lo), at_local(place, day, lo + minutes)
            lo += minutes + 30 * -(-buffer // 30) + 30 * rng.randrange(0, 5)
            if rng.random() < 0.6:
                break


def at_local(place: Place, day: date, minute: int) -> datetime:
    return local_to_utc(day, time(minute // 60, minute % 60), place.zone)


class Pools:
    """Who may turn up at an instrument: its own people, others from its region, or from
    elsewhere. A person listed twice is picked twice as often (the demo users are)."""

    def __init__(self, people: list[Person]) -> None:
        self.people = people
        self._cache: dict[tuple[int, str], tuple[list[Person], list[Person], list[Person]]] = {}

    def _split(self, place: Place) -> tuple[list[Person], list[Person], list[Person]]:
        key = (place.institution_id, place.region)
        if key not in self._cache:
            own = [p for p in self.people if p.institution_id == place.institution_id]
            rest = [p for p in self.people if p.institution_id != place.institution_id]
            near = [p for p in rest if p.region == place.region]
            far = [p for p in rest if p.region != place.region]
            self._cache[key] = (own, near, far)
        return self._cache[key]

    def pick(self, rng: random.Random, place: Place, pr: Profile) -> Person | None:
        """None: the owning group itself, without a booking."""
        own, near, far = self._split(place)
        if rng.random() < pr.external:
            first, second = (far, near) if rng.random() < pr.cross else (near, far)
            return rng.choice(first or second)
        if not own or rng.random() < 0.35:
            return None
        return rng.choice(own)


def needs_approval(place: Place, person: Person) -> bool:
    if place.approval == "none":
        return False
    return place.approval == "all" or person.institution_id != place.institution_id
