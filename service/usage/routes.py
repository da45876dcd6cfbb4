"""HTTP routes of usage corrections: read one session, correct it, delete it, its history."""

from __future__ import annotations

from typing import Any

from litestar import delete, get, patch
from litestar.di import NamedDependency
from litestar.params import JSONBody

from service.accounts.principal import Principal
from service.bookings.schemas import UsageOut
from service.common.openapi import problem_spec as problem
from service.common.params import PathId
from service.common.time import utcnow
from service.db import Database
from service.usage import correct
from service.usage.schemas import UsageCorrectionIn, UsageDeletionIn, UsageRevisionOut

DB = NamedDependency[Database]
User = NamedDependency[Principal]
TAGS = ["usage"]
READ_ERRORS = {
    401: problem("Not logged in"),
    403: problem("Only the instrument's managers, institution admins and evaluators"),
    404: problem("No such usage session"),
}
WRITE_ERRORS = {
    **READ_ERRORS,
    403: problem("Only the instrument's managers or institution admins"),
    409: problem("The corrected time overlaps another session (`conflicts`)"),
    422: problem("No reason, nothing changed, bad times, or a booked session's user"),
}


@get("/api/v1/usage/{session_id:int}", operation_id="getUsage", tags=TAGS, responses=READ_ERRORS)
async def get_usage(session_id: PathId, user: User, db: DB) -> UsageOut:
    return await correct.get_session(db, user, session_id)


@patch(
    "/api/v1/usage/{session_id:int}",
    operation_id="correctUsage",
    tags=TAGS,
    responses=WRITE_ERRORS,
)
async def correct_usage(
    session_id: PathId, data: JSONBody[UsageCorrectionIn], user: User, db: DB
) -> UsageOut:
    """Change what was recorded (times, service way, samples, fee, note; the user of a session
    without a booking), with a `reason`. The old and the new values are kept in the history, and
    the figures of the old and the new days are recomputed at the next roll-up."""
    return await correct.correct_session(db, user, session_id, data, now=utcnow())


@delete(
    "/api/v1/usage/{session_id:int}",
    operation_id="deleteUsage",
    tags=TAGS,
    responses=WRITE_ERRORS,
    status_code=204,
)
async def delete_usage(
    session_id: PathId, data: JSONBody[UsageDeletionIn], user: User, db: DB
) -> None:
    """Remove a session recorded in error, with a `reason` (JSON body); its values stay in the
    history."""
    await correct.delete_session(db, user, session_id, data.reason, now=utcnow())


@get(
    "/api/v1/usage/{session_id:int}/history",
    operation_id="usageHistory",
    tags=TAGS,
    responses=READ_ERRORS,
)
async def usage_history(session_id: PathId, user: User, db: DB) -> list[UsageRevisionOut]:
    """Every correction and the deletion of a session, oldest first."""
    return await correct.history(db, user, session_id)


ROUTES: list[Any] = [get_usage, correct_usage, delete_usage, usage_history]
