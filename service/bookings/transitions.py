"""State changes of a booking after it was made: who may do what, from which state.

Each change locks the booking row, checks the move against `MOVES`, bumps the version and
writes its history row and notice in the same transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import asyncpg
import msgspec

from service.accounts.principal import Principal
from service.bookings import rules, sql, store
from service.bookings.freed import tell_next_user
from service.bookings.schemas import BookingOut
from service.common.codes import CANCELLABLE
from service.common.i18n import pick
from service.db import Database
from service.errors import Conflict, Forbidden, NotFound, Unprocessable
from service.outbox.store import enqueue
from service.policies.schemas import Policy
from service.policies.store import load_policy


class Move(msgspec.Struct, frozen=True):
    to: str
    sources: frozenset[str]
    managers_only: bool
    notice: str | None


MOVES = {
    "cancel": Move("cancelled", frozenset(CANCELLABLE), False, "booking_cancelled"),
    "approve": Move("confirmed", frozenset({"pending"}), True, "booking_confirmed"),
    "reject": Move("rejected", frozenset({"pending"}), True, "booking_rejected"),
    "check_in": Move("in_use", frozenset({"confirmed"}), False, None),
    "check_out": Move("completed", frozenset({"in_use"}), False, None),
    "no_show": Move("no_show", frozenset({"confirmed"}), True, None),
}


#: Plain words for the refusal of a move from the wrong state (never the status code words).
STATUS_ZH = {"held": "正在保留中", "pending": "正在等待审批", "confirmed": "已确认",
             "in_use": "正在使用中", "completed": "已完成", "cancelled": "已取消",
             "rejected": "已被拒绝", "expired": "已过期", "no_show": "已记为爽约"}  # fmt: skip
ACTION_ZH = {"cancel": "取消", "approve": "批准", "reject": "拒绝", "check_in": "签到",
             "check_out": "签退", "no_show": "记为爽约"}  # fmt: skip


def authorize(user: Principal, row: Any, managers_only: bool) -> bool:
    """Raise 404 for strangers, 403 for a booker doing a manager's move; True for managers."""
    manager = user.can_manage_instrument(row["instrument_id"], row["instrument_institution_id"])
    if not manager and row["user_id"] != user.user_id:
        raise NotFound(f"Booking {row['id']} does not exist.")
    if managers_only and not manager:
        raise Forbidden(
            pick(
                user.language,
                "只有仪器负责人或单位管理员可以执行此操作。",
                "Only the instrument's managers or institution admins may do this.",
            )
        )
    return manager


def check_in_opens(starts_at: datetime, policy: Policy) -> datetime:
    """When check-in becomes possible: the policy's lead time before the booked start."""
    return starts_at - timedelta(minutes=policy.check_in_lead_minutes)


def _check_timing(action: str, row: Any, now: datetime, lang: str, *, policy: Policy) -> None:
    grace = timedelta(minutes=policy.no_show_grace_minutes)
    if action == "no_show" and now < row["starts_at"] + grace:
        minutes = int(grace / timedelta(minutes=1))
        raise Conflict(
            pick(
                lang,
                f"预约开始 {minutes} 分钟后（爽约宽限期过后）才能标记为爽约。",
                f"A no-show can only be marked {minutes} minutes after the start "
                "(the no-show grace period).",
            )
        )
    lead = policy.check_in_lead_minutes
    if action == "check_in" and not (
        check_in_opens(row["starts_at"], policy) <= now < row["ends_at"]
    ):
        raise Conflict(
            pick(
                lang,
                f"签到时间为预约开始前 {lead} 分钟至预约结束。",
                f"Check-in is possible from {lead} minutes before the start until the end.",
            )
        )


#: Moves that read the instrument's policy (late cancellation, no-show grace, check-in lead).
_POLICED = frozenset({"cancel", "no_show", "check_in"})


def check_outcome_change(
    action: str, row: Any, user: Principal, is_manager: bool, *, reason: str, now: datetime
) -> None:
    """Once a booking has ended its outcome (used, missed) is a record: its booker can no
    longer cancel it away, and a manager who changes it must say why. Cancelling someone
    else's booking, declaring someone a no-show or rejecting a request also needs a reason,
    which the booker sees in the history and in the notice."""
    lang = user.language
    if action == "cancel" and now >= row["ends_at"] and not is_manager:
        msg = pick(
            lang,
            "预约已结束，不能再取消；只有仪器负责人可以（注明理由）更改其结果。",
            "The booking has ended and can no longer be cancelled; only a manager may change "
            "its outcome, with a reason.",
        )
        raise Unprocessable(msg, extra={"violations": [{"rule": "booking_ended", "message": msg}]})
    if reason.strip():
        return
    if action == "cancel" and now >= row["ends_at"]:
        require_reason(
            reason,
            lang,
            "更改已结束预约的结果时必须填写理由。",
            "A reason is required to change the outcome of a booking that has ended.",
        )
    if action == "cancel" and row["user_id"] != user.user_id:
        require_reason(
            reason,
            lang,
            "取消他人的预约时必须填写理由（预约人会看到）。",
            "A reason is required to cancel someone else's booking (the booker will see it).",
        )
    if action == "no_show":
        require_reason(
            reason,
            lang,
            "标记爽约时必须填写理由。",
            "A reason is required to mark a booking as a no-show.",
        )
    if action == "reject":
        require_reason(reason, lang)


async def apply(
    conn: asyncpg.Connection, user: Principal, row: Any, action: str, *, reason: str, now: datetime
) -> asyncpg.Record:
    """Move one locked booking; `row` comes from `store.lock_booking`."""
    move = MOVES[action]
    is_manager = authorize(user, row, move.managers_only)
    if row["kind"] != "booking":
        raise NotFound(f"Booking {row['id']} does not exist.")
    if row["status"] not in move.sources:
        raise Conflict(
            pick(
                user.language,
                f"该预约{STATUS_ZH.get(row['status'], row['status'])}，不能{ACTION_ZH.get(action, action)}。",
                f"A booking in status '{row['status']}' cannot be {action.replace('_', '-')}ed.",
            ),
            extra={"booking_status": row["status"]},
        )
    policy = await load_policy(conn, row["instrument_id"]) if action in _POLICED else None
    _check_timing(action, row, now, user.language, policy=policy or Policy())
    check_outcome_change(action, row, user, is_manager, reason=reason, now=now)
    late = False
    if action == "cancel" and not is_manager and policy is not None:
        late = rules.is_late_cancellation(policy, row["starts_at"], now)
    new = await conn.fetchrow(
        sql.SET_STATUS,
        row["id"],
        move.to,
        now,
        late,
    )
    assert new is not None
    await store.record_event(
        conn,
        row["id"],
        user.user_id,
        action,
        from_status=row["status"],
        to_status=move.to,
        reason=reason,
        data={"late_cancellation": True} if late else None,
    )
    if action == "check_in":
        await open_session(conn, new, user.user_id, now)
    elif action == "check_out":
        await close_session(conn, new["id"], now)
        await tell_next_user(conn, new, now)
    if move.notice is not None:
        await enqueue(
            conn,
            kind=move.notice,
            user_id=new["user_id"],
            booking_id=new["id"],
            dedupe_key=f"{move.notice}:{new['id']}:v{new['version']}",
            payload=store.notice_payload(reason=reason),
        )
    return new


async def transition(
    db: Database,
    user: Principal,
    booking_id: int,
    action: str,
    *,
    reason: str,
    now: datetime,
    usage: tuple[int, str] = (0, ""),
    amount: Decimal | None = None,
    service_way: str | None = None,
) -> BookingOut:
    """`usage` (samples, note) is recorded on the session at check-out, with the fee charged
    (`amount`) and the way the instrument was served when given (else they stay as the
    session began: the booking's service way, no fee)."""

    async def work(conn: asyncpg.Connection) -> asyncpg.Record:
        row = await store.lock_booking(conn, booking_id)
        new = await apply(conn, user, row, action, reason=reason, now=now)
        if action == "check_out":
            await conn.execute(
                sql.SET_SESSION_DETAILS,
                booking_id,
                usage[0],
                usage[1],
                amount,
                service_way,
            )
        return new

    return store.booking_out(await db.in_transaction(work))


async def cancel(
    db: Database, user: Principal, booking_id: int, reason: str, *, scope: str, now: datetime
) -> tuple[BookingOut, list[int]]:
    """Cancel one booking or, for a series, this and the following occurrences or all of them.
    Occurrences already past or closed are left as they are."""

    async def work(conn: asyncpg.Connection) -> tuple[asyncpg.Record, list[int]]:
        row = await store.lock_booking(conn, booking_id)
        new = await apply(conn, user, row, "cancel", reason=reason, now=now)
        if scope == "one" or row["series_id"] is None:
            return new, []
        others = await conn.fetch(
            sql.LOCK_LATER_SERIES_BOOKINGS,
            row["series_id"],
            row["id"],
            scope == "all",
            row["starts_at"],
            now,
        )
        done = [
            (await apply(conn, user, other, "cancel", reason=reason, now=now))["id"]
            for other in others
        ]
        return new, done

    new, others = await db.in_transaction(work)
    return store.booking_out(new), others


#: How long a manager may take back a no-show they (or the job) declared.
UNDO_NO_SHOW_WITHIN = timedelta(hours=24)


async def undo_no_show(
    db: Database, user: Principal, booking_id: int, reason: str, *, now: datetime
) -> BookingOut:
    """Put a no-show back to the status it had (within `UNDO_NO_SHOW_WITHIN` of the no-show),
    with the reason in the history. The no-show job never marks that booking again."""

    async def work(conn: asyncpg.Connection) -> asyncpg.Record:
        row = await store.lock_booking(conn, booking_id)
        authorize(user, row, True)
        lang = user.language
        if row["kind"] != "booking":
            raise NotFound(f"Booking {row['id']} does not exist.")
        marked = await conn.fetchrow(
            sql.LAST_NO_SHOW_EVENT,
            booking_id,
        )
        if row["status"] != "no_show" or marked is None:
            raise Conflict(
                pick(lang, "该预约不是爽约状态。", "The booking is not a no-show."),
                extra={"booking_status": row["status"]},
            )
        if now > marked["at"] + UNDO_NO_SHOW_WITHIN:
            raise Conflict(
                pick(
                    lang,
                    "爽约标记只能在 24 小时内撤销。",
                    "A no-show can only be undone within 24 hours.",
                )
            )
        require_reason(
            reason, lang, "撤销爽约时必须填写理由。", "A reason is required to undo a no-show."
        )
        prior = marked["from_status"] or "confirmed"
        try:
            async with conn.transaction():
                new = await conn.fetchrow(
                    sql.RESTORE_STATUS,
                    booking_id,
                    prior,
                    now,
                )
        except asyncpg.ExclusionViolationError:
            raise Conflict(
                pick(
                    lang,
                    "该时段已另有预约，不能撤销爽约。",
                    "The time has been booked by someone else since; the no-show cannot be undone.",
                )
            ) from None
        assert new is not None
        await store.record_event(
            conn,
            booking_id,
            user.user_id,
            "undo_no_show",
            from_status="no_show",
            to_status=prior,
            reason=reason,
        )
        return new

    return store.booking_out(await db.in_transaction(work))


async def decide_series(
    db: Database, user: Principal, series_id: int, action: str, *, reason: str, now: datetime
) -> list[BookingOut]:
    """Approve or reject every pending occurrence of a series at once, in one transaction:
    a manager answers a weekly request once, and either all of it is answered or none."""
    if action not in {"approve", "reject"}:
        raise NotFound("Unknown action.")

    async def work(conn: asyncpg.Connection) -> list[asyncpg.Record]:
        rows = await conn.fetch(
            sql.LOCK_PENDING_OF_SERIES,
            series_id,
        )
        if not rows:
            raise NotFound(f"Series {series_id} has no request waiting for an answer.")
        return [await apply(conn, user, row, action, reason=reason, now=now) for row in rows]

    return [store.booking_out(r) for r in await db.in_transaction(work)]


async def open_session(conn: asyncpg.Connection, row: Any, actor: int, now: datetime) -> None:
    """The usage session snapshots who used the instrument as the booking recorded it, and
    whether the user's membership of that institution is verified now: only a verified
    member counts as internal, or as external in the sharing figures."""
    await conn.execute(sql.HAND_OVER, row["instrument_id"], now, row["id"])
    try:
        await conn.execute(
            sql.OPEN_SESSION,
            row["instrument_id"],
            row["id"],
            row["user_id"],
            row["booker_institution_id"],
            row["booker_region_code"],
            row["is_cross_region"],
            now,
            row["service_way"],
            actor,
        )
    except asyncpg.ExclusionViolationError:
        raise Conflict(
            "Usage is already recorded on this instrument from now on; correct that record first."
        ) from None


async def close_session(conn: asyncpg.Connection, booking_id: int, at: datetime) -> None:
    await conn.execute(
        sql.CLOSE_SESSION,
        booking_id,
        at,
    )


def require_reason(
    reason: str,
    lang: str,
    zh: str = "拒绝时必须填写理由。",
    en: str = "A reason is required to reject a request.",
) -> None:
    if not reason.strip():
        msg = pick(lang, zh, en)
        raise Unprocessable(
            msg, extra={"violations": [{"rule": "reason_required", "message": msg}]}
        )
