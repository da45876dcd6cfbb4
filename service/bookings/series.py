"""Recurring bookings: each occurrence goes through the same rules and constraint as a single
booking, inside one transaction; a savepoint per occurrence lets a taken slot be skipped."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import msgspec

from service.accounts.principal import Principal
from service.availability import store as availability
from service.bookings import admission, sql, store
from service.bookings.recurrence import RecurrenceError, expand
from service.bookings.rules import Load, Request
from service.bookings.schemas import BookingIn, SeriesOut, SkippedOut
from service.common.i18n import pick
from service.db import LOCK_INSTRUMENT, advisory_xact_lock
from service.errors import Conflict, Unprocessable


async def create_series(
    conn: asyncpg.Connection,
    user: Principal,
    data: BookingIn,
    now: datetime,
    *,
    booker_principal: Principal | None = None,
) -> SeriesOut:
    """A series by `user`, for `booker_principal` when a manager books for a user (as
    `service.create_one`); an override applies to every occurrence."""
    assert data.recurrence is not None
    inst = await store.instrument_facts(conn, data.instrument_id)
    try:
        occurrences = expand(data.recurrence.rrule, data.start, data.end, inst.zone)
    except RecurrenceError as exc:
        raise Unprocessable(
            str(exc), extra={"violations": [{"rule": "recurrence", "message": str(exc)}]}
        ) from None
    ctx = await store.context(
        conn, booker_principal or user, inst.id, (occurrences[0][0], occurrences[-1][1]), now=now
    )
    ctx = msgspec.structs.replace(
        ctx, booker=msgspec.structs.replace(ctx.booker, language=user.language)
    )
    asked = admission.OnBehalf.of(user, data)
    asked.check(user, inst)
    await advisory_xact_lock(conn, LOCK_INSTRUMENT, inst.id)
    series_id = await conn.fetchval(
        sql.INSERT_SERIES,
        inst.id,
        ctx.booker.user_id,
        data.recurrence.rrule,
        data.recurrence.mode,
    )
    span = (occurrences[0][0], occurrences[-1][1])
    load = await store.user_load(conn, inst.id, ctx.booker.user_id, span, now=now)
    booked: list[asyncpg.Record] = []
    skipped: list[SkippedOut] = []
    for start, end in occurrences:
        req = Request(start=start, end=end, service_way=data.service_way)
        reasons = await _try_one(
            conn, ctx, asked, req, load=load, of=(data.purpose, series_id), now=now, booked=booked
        )
        if reasons:
            skipped.append(SkippedOut(start=start, end=end, reasons=reasons))
        else:
            load = load.plus(start, end, now)
    _refuse_if_needed(data.recurrence.mode, booked, skipped, user.language, zone=inst.zone)
    return SeriesOut(
        series_id=series_id, booked=[store.booking_out(r) for r in booked], skipped=skipped
    )


async def _try_one(
    conn: asyncpg.Connection,
    ctx: store.Context,
    asked: admission.OnBehalf,
    req: Request,
    *,
    load: Load,
    of: tuple[str, int],
    now: datetime,
    booked: list[asyncpg.Record],
) -> list[dict[str, Any]]:
    """Book one occurrence; the reasons it was refused, or [] when booked. `of`: the purpose
    and the series."""
    policy, inst, booker = ctx.policy, ctx.inst, ctx.booker
    (purpose, series_id) = of
    violations = await admission.static_check(conn, policy, inst, booker, req=req, now=now, ctx=ctx)
    violations += admission.limit_check_with(policy, inst, booker, req, load=load, now=now)
    violations, overridden = asked.sift(violations)
    if violations:
        return [{"rule": v.rule, "message": v.message} for v in violations]
    columns = asked.columns(admission.terms(policy, inst, booker, req, now=now))
    try:
        async with conn.transaction():
            booked.append(
                await store.insert_booking(
                    conn,
                    inst,
                    booker,
                    req,
                    columns=columns,
                    purpose=purpose,
                    series_id=series_id,
                    booked_by=asked.booked_by,
                    event_data=asked.event(overridden),
                )
            )
    except asyncpg.ExclusionViolationError:
        conflicts = await availability.conflicts_in(
            conn, inst.id, req.start, columns["occupied_until"]
        )
        return [
            {
                "rule": "conflict",
                "message": pick(booker.language, "该时段已被占用。", "This time is already taken."),
                "conflicts": [
                    {
                        "kind": c["kind"],
                        "start": c["start"].isoformat(),
                        "end": c["end"].isoformat(),
                    }
                    for c in conflicts
                ],
            }
        ]
    return []


def merged_violations(skipped: list[SkippedOut], zone: ZoneInfo) -> list[dict[str, Any]]:
    """The rules broken by a series, each once, naming the local dates of the occurrences that
    break it (in the order of the series): three occurrences past the horizon are one rule with
    three dates, not three identical lines."""
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for s in skipped:
        day = s.start.astimezone(zone).date().isoformat()
        for r in s.reasons:
            entry = merged.setdefault(
                (r["rule"], r["message"]),
                {"rule": r["rule"], "message": r["message"], "occurrences": []},
            )
            if day not in entry["occurrences"]:
                entry["occurrences"].append(day)
    return list(merged.values())


def _refuse_if_needed(
    mode: str, booked: list[Any], skipped: list[SkippedOut], lang: str, *, zone: ZoneInfo
) -> None:
    if not skipped or (mode == "skip_conflicts" and booked):
        return
    listing = [
        {"start": s.start.isoformat(), "end": s.end.isoformat(), "reasons": s.reasons}
        for s in skipped
    ]
    taken = any(r["rule"] == "conflict" for s in skipped for r in s.reasons)
    detail = pick(
        lang,
        "系列预约中有时段无法预约，未预约任何时段。",
        "Some occurrences of the series cannot be booked; nothing was booked.",
    )
    if taken:
        raise Conflict(
            detail,
            extra={
                "skipped": listing,
                "conflicts": [
                    c for s in skipped for r in s.reasons for c in r.get("conflicts", [])
                ],
            },
        )
    raise Unprocessable(
        detail, extra={"violations": merged_violations(skipped, zone), "skipped": listing}
    )
