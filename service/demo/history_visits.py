"""Each demo visit's story: how a booking was made, decided, cancelled, missed or used, and
rated; the owning group's own use; and the demo logins' upcoming bookings. Pure, like
`demo_history_plan`, and drawing from the same random stream in a fixed order."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from service.common.codes import SERVICE_WAYS
from service.demo.history_plan import (
    COMMENTS,
    PURPOSES,
    RATING_WEIGHTS,
    RATINGS,
    REJECT_REASONS,
    SAMPLES,
    WAY_WEIGHTS,
    Person,
    Place,
    Pools,
    Profile,
    Visit,
    at_local,
    needs_approval,
    profile,
    slots,
    windows,
)


def booking_events(rng: random.Random, visit: Visit, created: datetime, ceiling: datetime) -> None:
    """ "created", then the approval when one was needed; nothing after `ceiling` (now)."""
    assert visit.person is not None
    pending = needs_approval(visit.place, visit.person)
    staff = visit.place.staff[0] if visit.place.staff else None
    visit.events.append(
        (created, visit.person.id, "created", None, "pending" if pending else "confirmed", "")
    )
    if not pending:
        return
    visit.deadline = min(created + timedelta(hours=48), visit.start)
    room = min(visit.start - created, ceiling - created) / 2
    decided = created + min(timedelta(hours=rng.randrange(1, 30)), room)
    if visit.status == "rejected":
        visit.events.append(
            (decided, staff, "reject", "pending", "rejected", rng.choice(REJECT_REASONS))
        )
    elif visit.status != "pending":
        visit.events.append((decided, staff, "approve", "pending", "confirmed", ""))


def outcome(rng: random.Random, visit: Visit) -> str:
    r = rng.random()
    if visit.external and needs_approval(visit.place, visit.person) and r < 0.03:  # type: ignore[arg-type]
        return "rejected"
    if r < 0.11:
        return "cancelled"
    return "no_show" if r < 0.145 else "completed"


def finish(rng: random.Random, visit: Visit, cutoff: datetime) -> None:
    """What happened after the booking was made: cancelled, missed, or used and maybe rated."""
    assert visit.person is not None
    last = visit.events[-1][0]
    staff = visit.place.staff[0] if visit.place.staff else None
    if visit.status == "cancelled":
        visit.late = rng.random() < 0.3 or last > visit.start - timedelta(hours=25)
        if visit.late:
            at = max(
                last + timedelta(minutes=5),
                visit.start - timedelta(minutes=rng.randrange(30, 1380)),
            )
        else:
            at = last + (visit.start - timedelta(hours=24) - last) * rng.random()
        visit.events.append((at, visit.person.id, "cancel", "confirmed", "cancelled", ""))
    elif visit.status == "no_show":
        at = min(visit.start + timedelta(minutes=rng.randrange(30, 120)), cutoff)
        visit.events.append((at, staff, "no_show", "confirmed", "no_show", ""))
    elif visit.status == "completed":
        use(rng, visit, cutoff)


def use(rng: random.Random, visit: Visit, cutoff: datetime) -> None:
    assert visit.person is not None
    started = visit.start + timedelta(minutes=5 * rng.randrange(0, 4))
    ended = visit.end - timedelta(minutes=5 * rng.randrange(0, 4))
    visit.session = (started, ended, rng.randint(*SAMPLES[visit.service_way]))
    if visit.service_way == "entrusted":
        staff = visit.place.staff[0] if visit.place.staff else None
        at = min(ended + timedelta(hours=rng.randrange(1, 20)), cutoff)
        visit.events.append((at, staff, "usage_recorded", "confirmed", "completed", ""))
    else:
        visit.events.append((started, visit.person.id, "check_in", "confirmed", "in_use", ""))
        visit.events.append((ended, visit.person.id, "check_out", "in_use", "completed", ""))
    if rng.random() < 0.35:
        score = rng.choices(RATINGS, weights=RATING_WEIGHTS)[0]
        comment = rng.choice(COMMENTS) if rng.random() < 0.4 else ""
        visit.rating = (score, comment, min(ended + timedelta(hours=rng.randrange(2, 72)), cutoff))


def group_use(rng: random.Random, place: Place, start: datetime, end: datetime) -> Visit:
    way = rng.choice(("occupy", "technical"))
    ended = end - timedelta(minutes=5 * rng.randrange(0, 4))
    return Visit(
        place,
        None,
        start,
        end,
        "completed",
        way,
        session=(start, ended, rng.randint(*SAMPLES[way])),
    )


def past_visit(
    rng: random.Random,
    place: Place,
    pr: Profile,
    pools: Pools,
    *,
    span: tuple[datetime, datetime],
    cutoff: datetime,
) -> Visit:
    person = pools.pick(rng, place, pr)
    if person is None:
        return group_use(rng, place, *span)
    way = rng.choices(SERVICE_WAYS, weights=WAY_WEIGHTS)[0]
    visit = Visit(place, person, span[0], span[1], "completed", way, purpose=rng.choice(PURPOSES))
    visit.status = outcome(rng, visit)
    created = span[0] - timedelta(days=rng.randrange(1, 21), hours=rng.randrange(0, 10))
    booking_events(rng, visit, created, cutoff)
    finish(rng, visit, cutoff)
    return visit


def upcoming(
    rng: random.Random,
    place: Place,
    person: Person,
    span: tuple[datetime, datetime],
    *,
    cutoff: datetime,
    status: str = "confirmed",
) -> Visit:
    """A booking still to come: made (and, if needed, approved) before `cutoff`."""
    way = rng.choices(SERVICE_WAYS[:3], weights=WAY_WEIGHTS[:3])[0]
    visit = Visit(place, person, span[0], span[1], status, way, purpose=rng.choice(PURPOSES))
    # A request still waiting was made within the day, so its deadline is still ahead.
    back = timedelta(days=0 if status == "pending" else rng.randrange(0, 6))
    created = cutoff - back - timedelta(hours=rng.randrange(1, 12))
    booking_events(rng, visit, created, cutoff)
    return visit


def place_history(
    rng: random.Random,
    place: Place,
    pools: Pools,
    days: tuple[date, date, date],
    *,
    cutoff: datetime,
    centre: str,
    reserved: set[date],
) -> Iterator[Visit]:
    """`days` = (first past day, today, last upcoming day + 1)."""
    pr = profile(rng, place, centre)
    if pr is None:
        return
    day = days[0]
    while day < days[2]:
        future = day > days[1]
        if (
            day != days[1]
            and day not in reserved
            and rng.random() < pr.busy * (0.6 if future else 1)
        ):
            for span in slots(rng, place, day, 1 if future else 2):
                if future:
                    person = pools.pick(rng, place, pr)
                    if person is not None:
                        yield upcoming(rng, place, person, span, cutoff=cutoff)
                elif span[1] + place.buffer <= cutoff:
                    yield past_visit(rng, place, pr, pools, span=span, cutoff=cutoff)
        day += timedelta(days=1)


class Cast(NamedTuple):
    """The demo logins and the instruments their upcoming bookings are on."""

    ciac: Person
    yanbian: Person
    partner: Person | None
    managed: list[Place]
    ciac_home: Place
    yanbian_home: Place


def _next_open(place: Place, day: date) -> tuple[date, time]:
    for ahead in range(14):
        found = windows(place, day + timedelta(days=ahead))
        if found:
            return day + timedelta(days=ahead), found[0][0]
    raise ValueError(f"instrument {place.id} is never open")


def demo_bookings(rng: random.Random, cast: Cast, today: date, cutoff: datetime) -> list[Visit]:
    """Upcoming bookings of the demo researchers, and two requests in the JLU manager's queue
    (one of them the Yanbian researcher's, across regions)."""
    wanted: list[tuple[Person | None, Place, int, int, int, str]] = [
        (cast.ciac, cast.managed[0], 2, 60, 180, "confirmed"),
        (cast.ciac, cast.ciac_home, 4, 90, 120, "confirmed"),
        (cast.ciac, cast.managed[2], 9, 300, 120, "confirmed"),
        (cast.yanbian, cast.yanbian_home, 3, 60, 240, "confirmed"),
        (cast.yanbian, cast.ciac_home, 8, 120, 180, "confirmed"),
        (cast.yanbian, cast.managed[1], 5, 90, 180, "pending"),
        (cast.partner, cast.managed[4], 11, 60, 240, "pending"),
    ]
    visits: list[Visit] = []
    for person, place, ahead, offset, minutes, status in wanted:
        if person is None:
            continue
        day, opens = _next_open(place, today + timedelta(days=ahead))
        first = opens.hour * 60 + opens.minute + offset
        span = (at_local(place, day, first), at_local(place, day, first + minutes))
        visits.append(upcoming(rng, place, person, span, cutoff=cutoff, status=status))
    return visits
