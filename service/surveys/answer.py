"""Answering a survey with its single-use link. The token is the only credential (no login):
it is looked up by its hash; the invitation is marked answered and the answers are written in
one transaction, and the answers carry neither the user nor the invitation nor a time."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from service.accounts.secrets import digest
from service.db import Database
from service.errors import Conflict, NotFound, ProblemError, Unprocessable
from service.metrics.ratings import score_of
from service.surveys import rules, sql
from service.surveys.schemas import InvitationOut, InvitedInstrumentOut, SurveyAnswerIn


class Gone(ProblemError):
    status, title, slug = 410, "Gone", "gone"


async def _invitation(conn: asyncpg.Connection | Database, token: str) -> asyncpg.Record:
    row = await conn.fetchrow(sql.INVITATION, digest(token))
    if row is None:
        raise NotFound("This survey link is not known.")
    return row


async def invitation(db: Database, token: str, now: datetime) -> InvitationOut:
    row = await _invitation(db, token)
    names = await db.fetch(sql.INSTRUMENT_NAMES, list(row["instruments"]))
    by_id = {r["id"]: r for r in names}
    return InvitationOut(
        survey_id=row["survey_id"],
        title_zh=row["title_zh"],
        title_en=row["title_en"],
        date_from=row["period_from"],
        date_to=row["period_to"],
        closes_at=row["closes_at"],
        instruments=[
            InvitedInstrumentOut(i, by_id[i]["name_zh"], by_id[i]["name_en"])
            for i in row["instruments"]
            if i in by_id
        ],
        answered=row["answered"],
    )


async def submit(db: Database, token: str, data: SurveyAnswerIn, now: datetime) -> None:
    scores = [score_of(item.rating) for item in data.answers]

    async def work(conn: asyncpg.Connection) -> None:
        row = await _invitation(conn, token)
        if not rules.is_open(row["closes_at"], row["closed_at"], now):
            raise Gone("The survey is closed.")
        problems = rules.answer_problems(data.answers, row["instruments"])
        if problems:
            items = [{"rule": r, "message": m} for r, m in problems]
            raise Unprocessable(items[0]["message"], extra={"violations": items})
        claimed = await conn.fetchrow(sql.CLAIM_INVITATION, digest(token))
        if claimed is None:
            raise Conflict("This survey link was used already; it works once.")
        await conn.execute(
            sql.INSERT_ANSWERS,
            claimed["survey_id"],
            [a.instrument_id for a in data.answers],
            scores,
            [a.comment.strip() for a in data.answers],
        )

    await db.in_transaction(work)
