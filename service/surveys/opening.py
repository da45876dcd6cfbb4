"""Opening a survey: in one transaction, the survey, an invitation per user who used an
instrument in the period (a single-use token, stored hashed), and their invitation mails in the
transactional outbox, each with everything the mail needs in its payload."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from service.accounts.principal import Principal, require_platform_admin
from service.accounts.secrets import digest, new_secret
from service.db import Database
from service.errors import Conflict, Unprocessable
from service.outbox.store import enqueue
from service.settings import Settings
from service.surveys import rules, sql, store
from service.surveys.mail import invitation_payload
from service.surveys.schemas import SurveyIn, SurveyOut

KIND = "survey_invitation"


async def open_survey(
    db: Database, settings: Settings, user: Principal, data: SurveyIn, *, now: datetime
) -> SurveyOut:
    require_platform_admin(user)
    problems = rules.survey_problems(data, now)
    if problems:
        items = [{"rule": r, "message": m} for r, m in problems]
        raise Unprocessable(items[0]["message"], extra={"violations": items})

    async def work(conn: asyncpg.Connection) -> int:
        survey_id = int(
            await conn.fetchval(
                sql.INSERT_SURVEY,
                data.title_zh,
                data.title_en,
                data.date_from,
                data.date_to,
                user.user_id,
                now,
                data.closes_at,
            )  # fmt: skip
        )
        people = await conn.fetch(sql.PARTICIPANTS, data.date_from, data.date_to)
        ids = sorted({i for p in people for i in p["instruments"]})
        names = {
            r["id"]: (r["name_zh"], r["name_en"])
            for r in await conn.fetch(sql.INSTRUMENT_NAMES, ids)
        }
        for person in people:
            await _invite(conn, settings, survey_id, data, person=person, names=names)
        return survey_id

    try:
        survey_id = await db.in_transaction(work)
    except asyncpg.CheckViolationError:
        raise Conflict("The survey could not be opened with these dates.") from None
    return await store.get_survey(db, survey_id, now)


async def _invite(
    conn: asyncpg.Connection, settings: Settings, survey_id: int, data: SurveyIn,
    *, person: asyncpg.Record, names: dict[int, tuple[str, str]],
) -> None:  # fmt: skip
    token = new_secret("sv_")
    await conn.execute(
        sql.INSERT_INVITATION, survey_id, person["user_id"], digest(token), person["instruments"]
    )
    payload = invitation_payload(
        language=person["language"], name=person["display_name"], email=person["email"],
        survey_id=survey_id, titles=(data.title_zh, data.title_en),
        period=(data.date_from, data.date_to), closes_at=data.closes_at,
        zone=settings.report_timezone, instruments=[names[i] for i in person["instruments"]],
        link=f"{settings.base_url}/surveys/{token}",
    )  # fmt: skip
    await enqueue(
        conn, kind=KIND, user_id=person["user_id"], payload=payload,
        dedupe_key=f"{KIND}:{survey_id}:{person['user_id']}",
    )  # fmt: skip


async def close_survey(db: Database, user: Principal, survey_id: int, now: datetime) -> SurveyOut:
    """Stop taking answers now (idempotent)."""
    require_platform_admin(user)
    survey = await store.get_survey(db, survey_id, now)
    if survey.closed_at is None:
        await db.execute(sql.CLOSE_SURVEY, survey_id, now)
    return await store.get_survey(db, survey_id, now)
