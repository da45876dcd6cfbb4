"""Service records in the national registry's field names: one per completed usage session,
so institutions report without re-typing. Dates select sessions by their local start date."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

from service.accounts.principal import Principal
from service.common.pagination import offset
from service.common.sql import Params
from service.db import Database
from service.metrics import sql
from service.metrics.csvout import lines
from service.metrics.ratings import LABELS
from service.metrics.schemas import ServiceRecordOut
from service.metrics.scope import Filters, visible_where

SERVICE_WAYS = {
    "occupy": "占用共享",
    "technical": "技术共享",
    "entrusted": "委托共享",
    "remote": "远程共享",
}

HEADER = [
    "serviceTime",
    "serviceWay",
    "serviceAmount",
    "applicant",
    "applicatUnit",
    "amounts",
    "instrumentName",
    "instrumentCode",
    "insCode",
    "samples",
    "serviceStart",
    "serviceEnd",
    "satisfaction",
    "satisfactionScore",
    "satisfactionComment",
]


def _select(user: Principal, date_from: date, date_to: date, p: Params) -> str:
    where = visible_where(user, p, Filters())
    return sql.records_from(where, p.add(date_from), p.add(date_to))


def to_record(row: asyncpg.Record) -> ServiceRecordOut:
    tz = ZoneInfo(row["timezone"])
    start, end = row["started_at"].astimezone(tz), row["ended_at"].astimezone(tz)
    rating = row["rating"]
    return ServiceRecordOut(
        service_time=f"{start:%Y-%m-%d %H:%M:%S}~{end:%Y-%m-%d %H:%M:%S}",
        service_way=SERVICE_WAYS[row["service_way"]],
        service_amount=round((end - start).total_seconds() / 3600, 2),
        applicant=row["display_name"] or "",
        applicat_unit=row["unit"],
        amounts=float(row["amount"]),
        instrument_name=row["instrument"],
        instrument_code=str(row["instrument_id"]),
        ins_code=row["ins_code"],
        samples=row["samples"],
        service_start=start,
        service_end=end,
        satisfaction=LABELS[rating] if rating else None,
        satisfaction_score=rating,
        satisfaction_comment=row["comment"] if rating else None,
    )


async def records_page(
    db: Database, user: Principal, date_from: date, date_to: date, *, page: int, page_size: int
) -> tuple[list[ServiceRecordOut], int]:
    p = Params()
    body = _select(user, date_from, date_to, p)
    total = await db.fetchval(f"SELECT count(*) {body}", *p.args)
    rows = await db.fetch(
        f"SELECT {sql.RECORD_COLUMNS} {body} ORDER BY s.started_at, s.id "
        f"LIMIT {int(page_size)} OFFSET {offset(page, page_size)}",
        *p.args,
    )
    return [to_record(r) for r in rows], int(total)


def _csv_row(record: ServiceRecordOut) -> Sequence[Any]:
    return [
        record.service_time,
        record.service_way,
        record.service_amount,
        record.applicant,
        record.applicat_unit,
        record.amounts,
        record.instrument_name,
        record.instrument_code,
        record.ins_code,
        record.samples,
        record.service_start.isoformat(),
        record.service_end.isoformat(),
        record.satisfaction,
        record.satisfaction_score,
        record.satisfaction_comment,
    ]


def records_csv(
    db: Database, user: Principal, date_from: date, date_to: date
) -> AsyncIterator[bytes]:
    """The whole range as CSV, streamed from a cursor so memory stays flat on large exports.
    The query (and the permission check) is built before the first byte is sent."""
    p = Params()
    query = f"SELECT {sql.RECORD_COLUMNS} {_select(user, date_from, date_to, p)} ORDER BY s.started_at, s.id"
    return _stream(db, query, p.args)


async def _stream(db: Database, query: str, args: list[Any]) -> AsyncIterator[bytes]:
    yield next(iter(lines(HEADER, []))).encode("utf-8")
    async with db.transaction() as conn:
        batch: list[ServiceRecordOut] = []
        async for row in conn.cursor(query, *args, prefetch=500):
            batch.append(to_record(row))
            if len(batch) == 500:
                yield _encode(batch)
                batch = []
        if batch:
            yield _encode(batch)


def _encode(batch: list[ServiceRecordOut]) -> bytes:
    return "".join(list(lines([], (_csv_row(r) for r in batch), bom=False))[1:]).encode("utf-8")
