"""Reads of surveys that several use cases share; opens no transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from service.db import Database
from service.errors import NotFound
from service.surveys import rules, sql
from service.surveys.schemas import SurveyOut


def survey_out(row: Any, now: datetime) -> SurveyOut:
    return SurveyOut(
        id=row["id"],
        title_zh=row["title_zh"],
        title_en=row["title_en"],
        date_from=row["period_from"],
        date_to=row["period_to"],
        opened_at=row["opened_at"],
        closes_at=row["closes_at"],
        closed_at=row["closed_at"],
        open=rules.is_open(row["closes_at"], row["closed_at"], now),
        invited=int(row["invited"]),
        answered=int(row["answered"]),
    )


async def get_survey(db: Database | asyncpg.Connection, survey_id: int, now: datetime) -> SurveyOut:
    row = await db.fetchrow(sql.GET_SURVEY, survey_id)
    if row is None:
        raise NotFound(f"Survey {survey_id} does not exist.")
    return survey_out(row, now)


async def list_surveys(db: Database, now: datetime) -> list[SurveyOut]:
    return [survey_out(r, now) for r in await db.fetch(sql.LIST_SURVEYS)]
