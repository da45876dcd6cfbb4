"""A year of history for the demo: researchers, bookings, usage, ratings, and their roll-up.

`seed_demo` calls `seed_history` inside its own transaction, so the demo appears whole or not
at all, and `roll_up` once it has committed. Everything is relative to the seeding day (in the
province's zone): the history runs from the first of the month a year back to yesterday, and
the upcoming bookings over the next two weeks.

Seeded bookings get no outbox rows: past ones must never be mailed, and upcoming ones get their
reminders from the scheduler's reminder job, which reads bookings rather than the outbox.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

from service.bookings.rules import estimated_cost
from service.common.time import local_to_utc, utcnow
from service.db import Database
from service.demo import sql
from service.demo.history_plan import HISTORY_SEED, Person, Place, Pools, Visit, first_day
from service.demo.history_visits import Cast, demo_bookings, place_history
from service.demo.institutions import DEMO_ADMIN_EMAIL, GIVEN, SURNAMES
from service.demo.plan import DemoPlan
from service.demo.scale import allocate_ids
from service.metrics.dirty import note_as_of
from service.metrics.rollup import rebuild
from service.policies.schemas import Policy

#: The province's zone defines "today" for the demo; its capital's region is the centre.
PROVINCE_ZONE = ZoneInfo("Asia/Shanghai")
CENTRE = "220100"
EXTRA_RESEARCHERS = 60
#: Partner-region researchers write in English and have names of their own.
PARTNER_NAMES = {
    "RU-VVO": ("Ivan Petrov", "Anna Smirnova", "Dmitry Volkov", "Olga Kuznetsova"),
    "BY-MSQ": ("Aliaksandr Kavalenka", "Volha Novik", "Siarhei Marozau", "Hanna Zhuk"),
}
DEMO_RESEARCHERS = (
    "researcher@ciac.demo.instrument-share.org",
    "researcher@yanbian.demo.instrument-share.org",
)
#: The demo researchers turn up this many times as often as anyone else.
DEMO_WEIGHT = 4


async def seed_history(
    conn: asyncpg.Connection,
    plan: DemoPlan,
    institutions: dict[str, int],
    instruments: list[int],
    *,
    today: date,
) -> dict[str, int]:
    """Write the history; returns what was written, by kind."""
    rng = random.Random(HISTORY_SEED)  # noqa: S311 - demo data, not secrets
    cutoff = local_to_utc(today, time(0), PROVINCE_ZONE)
    people, known = await _people(conn, rng, plan, institutions, today=today)
    places = await _places(conn, instruments, _showcase(plan, instruments))
    home = {i: [p for p in places if p.institution_id == i] for i in institutions.values()}
    ciac, yanbian = known[DEMO_RESEARCHERS[0]], known[DEMO_RESEARCHERS[1]]
    partner = next((p for p in people if p.region == "RU-VVO"), None)
    managed = home[institutions["jlu"]][:6]  # the JLU manager's, as `seed_demo` assigns them
    cast = Cast(ciac, yanbian, partner, managed, home[ciac.institution_id][0],
                home[yanbian.institution_id][0])  # fmt: skip
    visits = demo_bookings(rng, cast, today, cutoff)
    reserved = {(v.place.id, v.start.astimezone(v.place.zone).date()) for v in visits}
    pools = Pools(people + [ciac, yanbian] * DEMO_WEIGHT)
    days = (first_day(today), today, today + timedelta(days=15))
    for place in places:
        taken = {d for i, d in reserved if i == place.id}
        visits.extend(
            place_history(rng, place, pools, days, cutoff=cutoff, centre=CENTRE, reserved=taken)
        )
    counts = await _write(conn, visits)
    counts["researchers"] = len(people)
    return counts


async def roll_up(db: Database, instruments: list[int], today: date) -> int:
    """The metrics of the history, so the dashboard has figures at once (as of now)."""
    started = utcnow()
    written = await rebuild(db, first_day(today), today + timedelta(days=1), instruments)
    await note_as_of(db, started)
    return written


def _showcase(plan: DemoPlan, instruments: list[int]) -> set[int]:
    """The pinned instruments each institution registers first: the ones the demo shows."""
    pinned = {i.code: len(i.pinned) for i in plan.institutions}
    seen: Counter[str] = Counter()
    out: set[int] = set()
    for row, instrument_id in zip(plan.instruments, instruments, strict=True):
        seen[row.institution] += 1
        if seen[row.institution] <= pinned[row.institution]:
            out.add(instrument_id)
    return out


def _researcher_counts(rng: random.Random, plan: DemoPlan) -> dict[str, int]:
    """One per institution with instruments, two in each partner region, the rest by size."""
    counts = {i.code: 1 for i in plan.institutions if i.size > 0}
    for spec in plan.institutions:
        if spec.region in PARTNER_NAMES:
            counts[spec.code] += 1
    sized = [i for i in plan.institutions if i.size > 0]
    for spec in rng.choices(
        sized, weights=[i.size for i in sized], k=EXTRA_RESEARCHERS - sum(counts.values())
    ):
        counts[spec.code] += 1
    return counts


async def _people(
    conn: asyncpg.Connection,
    rng: random.Random,
    plan: DemoPlan,
    institutions: dict[str, int],
    *,
    today: date,
) -> tuple[list[Person], dict[str, Person]]:
    """The extra researchers (new ones only) and the demo researchers by email."""
    rows: list[tuple[str, str, int, str, Any]] = []
    regions = {i.code: i.region for i in plan.institutions}
    for code, count in _researcher_counts(rng, plan).items():
        for n in range(1, count + 1):
            partner = PARTNER_NAMES.get(regions[code])
            name = (
                partner[(n + len(code)) % len(partner)]
                if partner
                else rng.choice(SURNAMES) + rng.choice(GIVEN)
            )
            language = "en" if partner or rng.random() < 0.1 else "zh-CN"
            joined = local_to_utc(
                first_day(today) - timedelta(days=rng.randrange(10, 400)), time(9), PROVINCE_ZONE
            )
            rows.append(
                (
                    f"researcher{n}@{code}.demo.instrument-share.org",
                    name,
                    institutions[code],
                    language,
                    joined,
                )
            )
    created = await conn.fetch(
        sql.INSERT_HISTORY_USERS, *map(list, zip(*rows, strict=True)), DEMO_ADMIN_EMAIL
    )
    new = {r["email"] for r in created}
    found = {
        r["email"]: Person(r["id"], r["institution_id"], r["region_code"], r["enterprise"])
        for r in await conn.fetch(sql.HISTORY_PEOPLE, [r[0] for r in rows] + list(DEMO_RESEARCHERS))
    }
    return [found[r[0]] for r in rows if r[0] in new], found


async def _places(
    conn: asyncpg.Connection, instruments: list[int], showcase: set[int]
) -> list[Place]:
    default = Policy()
    places: list[Place] = []
    for r in await conn.fetch(sql.INSTRUMENTS_TO_BOOK, instruments):
        weekly: dict[int, list[tuple[time, time]]] = {}
        for day, opens, closes in r["weekly"]:
            weekly.setdefault(day, []).append((opens, closes))
        fees = (r["fee_internal"], r["fee_external_academic"], r["fee_enterprise"])
        places.append(
            Place(
                id=r["id"],
                institution_id=r["institution_id"],
                region=r["region_code"],
                zone=ZoneInfo(r["timezone"]),
                share_mode=r["share_mode"],
                status=r["status"],
                weekly=weekly,
                fees=fees
                if fees[0] is not None
                else (default.fee_internal, default.fee_external_academic, default.fee_enterprise),
                buffer=timedelta(minutes=r["buffer_minutes"] or 0),
                approval=r["approval"] or default.approval,
                staff=tuple(r["staff"]),
                showcase=r["id"] in showcase,
            )
        )
    return places


BOOKING_COLUMNS = (
    "id", "kind", "instrument_id", "user_id", "starts_at", "ends_at", "occupied_until", "status",
    "purpose", "service_way", "booker_institution_id", "booker_region_code", "is_external",
    "is_cross_region", "fee_class", "fee_per_hour", "estimated_cost", "approval_deadline",
    "late_cancellation", "version", "created_at", "updated_at",
)  # fmt: skip
EVENT_COLUMNS = (
    "booking_id",
    "at",
    "actor_user_id",
    "action",
    "from_status",
    "to_status",
    "reason",
)
SESSION_COLUMNS = (
    "instrument_id", "booking_id", "user_id", "user_institution_id", "user_region_code",
    "is_external", "is_cross_region", "started_at", "ended_at", "service_way", "samples",
    "amount", "note", "recorded_by", "created_at",
)  # fmt: skip
RATING_COLUMNS = (
    "booking_id",
    "user_id",
    "instrument_id",
    "day",
    "rating",
    "comment",
    "created_at",
)


def _booking_row(booking_id: int, v: Visit) -> tuple[Any, ...]:
    assert v.person is not None
    p = v.place
    return (
        booking_id, "booking", p.id, v.person.id, v.start, v.end, v.end + p.buffer, v.status,
        v.purpose, v.service_way, v.person.institution_id, v.person.region, v.external,
        v.person.region != p.region, v.fee_class, v.fee, _cost(v), v.deadline, v.late,
        len(v.events), v.events[0][0], v.events[-1][0],
    )  # fmt: skip


def _cost(v: Visit) -> Decimal:
    return estimated_cost(v.fee, v.start, v.end)


def _session_row(booking_id: int | None, v: Visit) -> tuple[Any, ...]:
    assert v.session is not None
    started, ended, samples = v.session
    p, who = v.place, v.person
    staff = p.staff[0] if p.staff else None
    if who is None:
        return (p.id, None, None, p.institution_id, p.region, False, False, started, ended,
                v.service_way, samples, Decimal(0), "课题组自用", staff, ended)  # fmt: skip
    recorder = staff if v.service_way == "entrusted" else who.id
    return (
        p.id, booking_id, who.id, who.institution_id, who.region, v.external,
        who.region != p.region, started, ended, v.service_way, samples, v.amount(), "",
        recorder, v.events[-1][0],
    )  # fmt: skip


async def _write(conn: asyncpg.Connection, visits: list[Visit]) -> dict[str, int]:
    booked = [v for v in visits if v.person is not None]
    ids = await allocate_ids(conn, "booking", len(booked))
    pairs = list(zip(ids, booked, strict=True))
    await conn.copy_records_to_table(
        "booking", records=[_booking_row(i, v) for i, v in pairs], columns=BOOKING_COLUMNS
    )
    events = [(i, *e) for i, v in pairs for e in v.events]
    await conn.copy_records_to_table("booking_event", records=events, columns=EVENT_COLUMNS)
    late = [i for i, v in pairs if v.late]
    await conn.execute(
        sql.MARK_LATE_CANCELLATIONS,
        late,
    )
    sessions = [_session_row(i, v) for i, v in pairs if v.session is not None]
    sessions += [_session_row(None, v) for v in visits if v.person is None]
    await conn.copy_records_to_table("usage_session", records=sessions, columns=SESSION_COLUMNS)
    ratings = [
        (i, v.person.id, v.place.id, v.start.astimezone(v.place.zone).date(), *v.rating)
        for i, v in pairs
        if v.rating is not None and v.person is not None
    ]
    await conn.copy_records_to_table("satisfaction", records=ratings, columns=RATING_COLUMNS)
    status = Counter(v.status for v in booked)
    return {
        "bookings": len(booked),
        **{f"bookings_{s}": n for s, n in sorted(status.items())},
        "late_cancellations": len(late),
        "events": len(events),
        "sessions": len(sessions),
        "group_sessions": len(visits) - len(booked),
        "ratings": len(ratings),
    }
