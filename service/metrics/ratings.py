"""Satisfaction ratings on the national five-level scale, one per completed booking.

A rating is final: a second one for the same booking is refused (409) so the figures reported
upwards cannot be revised after the fact.
"""

from __future__ import annotations

import asyncpg

from service.accounts.principal import Principal
from service.db import Database
from service.errors import Conflict, NotFound, Unprocessable
from service.metrics import sql
from service.metrics.schemas import RatingIn, RatingOut

#: The national registry's five levels, exactly (its `comment` field takes these words only).
LABELS = {5: "非常满意", 4: "基本满意", 3: "一般", 2: "不满意", 1: "极差"}
#: "满意" is not a registry value; earlier clients sent it for level 4, so it is still read so.
_BY_LABEL = {label: score for score, label in LABELS.items()} | {"满意": 4}


def score_of(value: int | str) -> int:
    if isinstance(value, int):
        if value not in LABELS:
            raise Unprocessable("rating must be 1 to 5.")
        return value
    if value not in _BY_LABEL:
        raise Unprocessable(f"rating must be 1 to 5 or one of {', '.join(_BY_LABEL)}.")
    return _BY_LABEL[value]


async def rate(db: Database, user: Principal, booking_id: int, data: RatingIn) -> RatingOut:
    score = score_of(data.rating)

    async def work(conn: asyncpg.Connection) -> RatingOut:
        row = await conn.fetchrow(sql.RATEABLE_BOOKING, booking_id)
        if row is None or row["user_id"] != user.user_id or row["kind"] != "booking":
            raise NotFound("No such booking of yours.")
        if row["status"] != "completed" and not row["used"]:
            raise Conflict(
                "Only a completed booking can be rated.", extra={"booking_status": row["status"]}
            )
        saved = await conn.fetchrow(
            sql.INSERT_RATING,
            booking_id,
            user.user_id,
            row["instrument_id"],
            row["day"],
            score,
            data.comment.strip(),
        )
        if saved is None:
            raise Conflict("This booking has already been rated; a rating is final.")
        return RatingOut(
            booking_id=saved["booking_id"],
            rating=saved["rating"],
            label=LABELS[saved["rating"]],
            comment=saved["comment"],
            created_at=saved["created_at"],
        )

    return await db.in_transaction(work)
