"""Admitting one booking: the checks before and under the instrument lock, the refusal, and
the terms (status, fee, changeover) it is written with (`store.insert_booking`).

Shared by single bookings, series occurrences and reschedules, so every path applies the same
rules and the same constraint.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import msgspec

from service.accounts.principal import Principal
from service.availability import store as availability
from service.bookings import rules, store
from service.bookings.rules import BookerFacts, InstrumentFacts, Load, Request
from service.bookings.schemas import BookingIn
from service.common.i18n import pick
from service.common.schemas import Violation
from service.errors import Forbidden, Unprocessable
from service.policies.schemas import Policy

#: Instants outside these bounds are refused before any arithmetic can overflow.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
#: Opening hours are only computed for spans a policy could ever accept.
MAX_SPAN = timedelta(days=8)


def check_bounds(start: datetime, end: datetime, lang: str) -> None:
    if not (EARLIEST <= start <= LATEST and EARLIEST <= end <= LATEST):
        raise Unprocessable(
            pick(lang, "时间超出可接受的范围。", "The times are out of the accepted range."),
            extra={"violations": [{"rule": "out_of_range", "message": "2000-01-01 .. 2200-01-01"}]},
        )
    if end <= start:
        msg = pick(lang, "结束时间必须晚于开始时间。", "The end must be after the start.")
        raise Unprocessable(
            msg, extra={"violations": [{"rule": "end_before_start", "message": msg}]}
        )


async def static_check(
    conn: asyncpg.Connection,
    policy: Policy,
    inst: InstrumentFacts,
    booker: BookerFacts,
    *,
    req: Request,
    now: datetime,
    ctx: store.Context | None = None,
) -> list[Violation]:
    """Rules that need no lock. With `ctx` the opening hours come from it (same pure function
    as availability's), saving round trips on the hot path."""
    opening: list[tuple[datetime, datetime]] = []
    if req.end - req.start <= MAX_SPAN:
        if ctx is not None:
            opening = ctx.open_intervals(req.start, req.end)
        else:
            opening = await availability.open_intervals_for(conn, inst.id, req.start, req.end)
    return rules.static_violations(policy, inst, booker, req, open_intervals=opening, now=now)


def has_limits(policy: Policy) -> bool:
    return (
        policy.max_hours_per_day is not None
        or policy.max_hours_per_week is not None
        or policy.max_future_bookings is not None
        or policy.max_bookings_per_day is not None
        or policy.max_future_hours is not None
        or policy.min_gap_minutes > 0
    )


async def limit_check(
    conn: asyncpg.Connection,
    policy: Policy,
    inst: InstrumentFacts,
    booker: BookerFacts,
    *,
    req: Request,
    now: datetime,
    exclude: list[int] | None = None,
) -> list[Violation]:
    """Per-user limits; call under the instrument lock so two requests cannot both fit."""
    if booker.is_manager or not has_limits(policy):
        return []
    load = await store.user_load(
        conn, inst.id, booker.user_id, (req.start, req.end), now=now, exclude=exclude
    )
    return rules.limit_violations(policy, inst.zone, req, load, lang=booker.language, now=now)


def limit_check_with(
    policy: Policy,
    inst: InstrumentFacts,
    booker: BookerFacts,
    req: Request,
    *,
    load: Load,
    now: datetime,
) -> list[Violation]:
    if booker.is_manager:
        return []
    return rules.limit_violations(policy, inst.zone, req, load, lang=booker.language, now=now)


class OnBehalf(msgspec.Struct, frozen=True):
    """What a manager asked of one booking request: to book for another user (`booked_by` is
    then the manager) and/or to set the overridable rules aside, with a reason."""

    booked_by: int | None = None
    override_reason: str | None = None

    @classmethod
    def of(cls, user: Principal, data: BookingIn) -> OnBehalf:
        return cls(
            booked_by=user.user_id if data.on_behalf_of is not None else None,
            override_reason=data.override_reason,
        )

    @property
    def asked(self) -> bool:
        return self.booked_by is not None or self.override_reason is not None

    def check(self, user: Principal, inst: InstrumentFacts) -> None:
        """Only the instrument's managers (and its institution's admins) may ask for either."""
        if self.asked and not user.can_manage_instrument(inst.id, inst.institution_id):
            raise Forbidden(only_managers(user.language))

    def may_lock(self, violations: list[Violation]) -> bool:
        """Whether the booking can still go in (so the lock and the limits are worth it)."""
        if self.override_reason is None:
            return not violations
        return all(v.rule in rules.OVERRIDABLE for v in violations)

    def sift(self, violations: list[Violation]) -> tuple[list[Violation], list[str]]:
        """The violations that still refuse the booking, and the rules set aside."""
        if self.override_reason is None:
            return violations, []
        kept = [v for v in violations if v.rule not in rules.OVERRIDABLE]
        return kept, [v.rule for v in violations if v.rule in rules.OVERRIDABLE]

    def columns(self, columns: dict[str, Any]) -> dict[str, Any]:
        """A booking made for a user by a manager is confirmed: the manager would approve it."""
        if self.booked_by is None:
            return columns
        return columns | {"status": "confirmed", "approval_deadline": None}

    def event(self, overridden: list[str]) -> dict[str, Any]:
        """What the "created" history row records of it."""
        out: dict[str, Any] = {}
        if self.booked_by is not None:
            out["booked_by"] = self.booked_by
        if self.override_reason is not None:
            out["override"] = {"reason": self.override_reason, "rules": overridden}
        return out


def refuse(violations: list[Violation], lang: str) -> Unprocessable:
    return Unprocessable(
        pick(
            lang, "预约不符合仪器的预约规则。", "The booking breaks the instrument's booking rules."
        ),
        extra={"violations": [{"rule": v.rule, "message": v.message} for v in violations]},
    )


def terms(
    policy: Policy, inst: InstrumentFacts, booker: BookerFacts, req: Request, *, now: datetime
) -> dict[str, Any]:
    """Status, fee and snapshot columns of a booking made by `booker` for `req`."""
    klass = rules.fee_class(inst, booker)
    rate = rules.fee_per_hour(policy, klass)
    pending = rules.needs_approval(policy, inst, booker)
    return {
        "status": "pending" if pending else "confirmed",
        "occupied_until": req.end + timedelta(minutes=policy.buffer_minutes),
        "is_external": not rules.is_internal(inst, booker),
        "is_cross_region": booker.region_code != inst.region_code,
        "fee_class": klass,
        "fee_per_hour": rate,
        "estimated_cost": rules.estimated_cost(rate, req.start, req.end),
        "approval_deadline": rules.approval_deadline(policy, req.start, now) if pending else None,
    }


def only_managers(lang: str) -> str:
    """Why booking for someone else or overriding the rules is refused."""
    return pick(
        lang,
        "只有仪器负责人可以代他人预约或越过预约规则。",
        "Only the instrument's managers may book for someone else or override its rules.",
    )
