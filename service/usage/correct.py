"""Correct or delete a usage session, with a reason; both are kept in the session's history.

Each use case locks the session, checks the caller manages its instrument, applies the change
and writes the history row in one transaction; the dirty-day triggers mark the old and the new
days, so the figures follow at the next roll-up. A corrected time that overlaps another session
of the instrument is refused (409, with the taken intervals), as on entry.

Deleting a booked session leaves the booking's status as it is (it was confirmed or used); the
booked time then counts as booked, not used.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from service.accounts.membership import in_force
from service.accounts.principal import Principal
from service.bookings.schemas import UsageOut
from service.bookings.usage import overlap_conflict, require_manager, usage_out, who
from service.common.i18n import pick
from service.db import Database
from service.errors import NotFound, Unprocessable
from service.usage import rules
from service.usage import sql as q
from service.usage.schemas import UsageCorrectionIn, UsageRevisionOut

_MESSAGES = {
    "user_of_booking": (
        "预约的使用记录的使用者就是预约人，不能更改。",
        "A booked session's user is the booking's; it cannot be changed.",
    ),
    "one_user": ("只能指定用户或单位之一。", "Name either a user or an institution, not both."),
    "usage_times": (
        "使用记录的结束须晚于开始，且开始不能在未来。",
        "Usage must end after it starts and cannot start in the future.",
    ),
    "no_change": ("没有要更正的内容。", "The correction changes nothing."),
}


class _Owner:
    """The instrument facts `who` needs: the owner and its region."""

    def __init__(self, row: Any) -> None:
        self.institution_id: int = row["owner_id"]
        self.region_code: str = row["owner_region"]


async def _locked(conn: asyncpg.Connection, user: Principal, session_id: int) -> asyncpg.Record:
    row = await conn.fetchrow(q.LOCK_SESSION, session_id)
    if row is None:
        raise NotFound(f"Usage session {session_id} does not exist.")
    require_manager(user, row["instrument_id"], row["owner_id"])
    return row


async def _revision(
    conn: asyncpg.Connection, row: Any, action: str, user: Principal, *, now: datetime,
    reason: str, before: dict[str, Any], after: dict[str, Any] | None,
) -> None:  # fmt: skip
    await conn.execute(
        q.INSERT_REVISION, row["id"], row["instrument_id"], action, user.user_id, now,
        reason.strip(), before, after,
    )  # fmt: skip


def _refuse(user: Principal, codes: list[str]) -> Unprocessable:
    items = [{"rule": c, "message": pick(user.language, *_MESSAGES[c])} for c in codes]
    return Unprocessable(items[0]["message"], extra={"violations": items})


async def _person(
    conn: asyncpg.Connection, row: Any, change: UsageCorrectionIn, now: datetime
) -> tuple[int | None, int, str, bool]:
    """(user, institution, region, affiliation verified) after the change: as recorded, or the
    newly named user or institution, verified as a new entry would be."""
    if change.user_id is None and change.user_institution_id is None:
        return (row["user_id"], row["user_institution_id"], row["user_region_code"],
                row["affiliation_verified"])  # fmt: skip
    user, institution, region = await who(
        conn, _Owner(row), change.user_id, change.user_institution_id
    )
    verified = user is None or await in_force(conn, user, institution, now)
    return user, institution, region, verified


async def correct_session(
    db: Database, user: Principal, session_id: int, change: UsageCorrectionIn, *, now: datetime
) -> UsageOut:
    if not change.reason.strip():
        raise _refuse(user, ["no_change"])

    async def work(conn: asyncpg.Connection) -> asyncpg.Record:
        row = await _locked(conn, user, session_id)
        after = rules.merged(row, change)
        problems = rules.violations(row, change, after, now)
        if problems:
            raise _refuse(user, problems)
        person, institution, region, verified = await _person(conn, row, change, now)
        before = await conn.fetchval(q.ROW_JSON, session_id)
        try:
            async with conn.transaction():
                new = await conn.fetchrow(
                    q.UPDATE_SESSION, session_id, after["started_at"], after["ended_at"],
                    after["service_way"], after["samples"], after["amount"], after["note"],
                    person, institution, region, institution != row["owner_id"] or not verified,
                    region != row["owner_region"], verified,
                )  # fmt: skip
        except asyncpg.ExclusionViolationError:
            span = (after["started_at"], after["ended_at"])
            raise await overlap_conflict(
                conn, user, row["instrument_id"], span, session_id=session_id
            ) from None
        await _revision(
            conn, row, "corrected", user, now=now, reason=change.reason, before=before,
            after=await conn.fetchval(q.ROW_JSON, session_id),
        )  # fmt: skip
        return new

    return usage_out(await db.in_transaction(work))


async def delete_session(
    db: Database, user: Principal, session_id: int, reason: str, *, now: datetime
) -> None:
    async def work(conn: asyncpg.Connection) -> None:
        row = await _locked(conn, user, session_id)
        before = await conn.fetchval(q.ROW_JSON, session_id)
        await conn.execute(q.DELETE_SESSION, session_id)
        await _revision(
            conn, row, "deleted", user, now=now, reason=reason, before=before, after=None
        )

    await db.in_transaction(work)


async def get_session(db: Database, user: Principal, session_id: int) -> UsageOut:
    row = await db.fetchrow(q.GET_SESSION, session_id)
    if row is None:
        raise NotFound(f"Usage session {session_id} does not exist.")
    if not user.can_read_records(row["owner_id"]):
        require_manager(user, row["instrument_id"], row["owner_id"])
    return usage_out({k: v for k, v in row.items() if k != "owner_id"})


async def history(db: Database, user: Principal, session_id: int) -> list[UsageRevisionOut]:
    """The corrections and deletion of a session, oldest first (also of a deleted one)."""
    owner = await db.fetchrow(q.REVISION_INSTRUMENT, session_id)
    if owner is None:
        row = await db.fetchrow(q.GET_SESSION, session_id)
        if row is None:
            raise NotFound(f"Usage session {session_id} does not exist.")
        owner = {"instrument_id": row["instrument_id"], "institution_id": row["owner_id"]}
    if not user.can_read_records(owner["institution_id"]):
        require_manager(user, owner["instrument_id"], owner["institution_id"])
    rows = await db.fetch(q.HISTORY, session_id)
    return [UsageRevisionOut(**dict(r)) for r in rows]
