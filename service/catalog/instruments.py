"""Instrument registry: list, detail, create, update, retire.

The registry is public to read (share mode `none` only means "not bookable"); writes are
object-level: managers of the instrument, admins of its institution, platform admins.
Nothing is deleted: retiring hides an instrument from the default list and keeps its history.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import asyncpg

from service.accounts.principal import Principal
from service.catalog import codes, rules, sql
from service.catalog.rules import InstrumentFilters
from service.catalog.schemas import (
    InstrumentIn,
    InstrumentOut,
    InstrumentPatchIn,
    InstrumentSummaryOut,
    ManagerOut,
    OpeningOut,
    PolicySummaryOut,
    set_fields,
)
from service.common.pagination import offset
from service.common.schemas import Page, Violation
from service.db import Database
from service.errors import Conflict, Forbidden, NotFound, PreconditionFailed, Unprocessable
from service.policies.store import load_policy
from service.search.index import index_instruments
from service.search.query import plan_for


def _invalid(violations: list[Violation]) -> Unprocessable:
    detail = "; ".join(f"{v.rule}: {v.message}" for v in violations)
    return Unprocessable(
        detail, extra={"violations": [{"rule": v.rule, "message": v.message} for v in violations]}
    )


async def _check_refs(
    conn: asyncpg.Connection | Database,
    region: str | None = None,
    category: str | None = None,
    institution: int | None = None,
) -> None:
    """Unknown codes are the caller's mistake (422), not an empty result."""
    row = await conn.fetchrow(sql.REFS_EXIST, region, category, institution)
    assert row is not None
    violations = [
        Violation(name, f"unknown {name} {value!r}")
        for name, value in (
            ("region", region),
            ("category", category),
            ("institution", institution),
        )
        if not row[name]
    ]
    if violations:
        raise _invalid(violations)


async def _check_codes(conn: asyncpg.Connection, fields: dict[str, Any]) -> None:
    """Country and discipline codes must be known ones; a country name fills in its code."""
    violations = await codes.check_codes(conn, fields)
    if violations:
        raise _invalid(violations)
    await codes.derive_country_code(conn, fields)


async def list_instruments(
    db: Database, params: dict[str, Any], page: int, page_size: int
) -> Page[InstrumentSummaryOut]:
    filters, violations = rules.parse_filters(params)
    if violations:
        raise _invalid(violations)
    if filters.region or filters.category or filters.institution is not None:
        await _check_refs(db, filters.region, filters.category, filters.institution)
    return await _page(db, filters, page, page_size)


async def _page(
    db: Database, filters: InstrumentFilters, page: int, page_size: int
) -> Page[InstrumentSummaryOut]:
    async with db.connection() as conn:
        plan = await plan_for(conn, filters.q) if filters.q else None
        if plan is not None and plan.empty:  # only punctuation or stop words: nothing to find
            return Page(items=[], total=0, page=page, page_size=page_size)
        query = sql.list_query(filters, plan)
        rows = await conn.fetch(
            query.page_sql, *query.page_params, page_size, offset(page, page_size)
        )
        if query.counted and rows:
            total = rows[0]["total"]
        elif page == 1 and len(rows) < page_size:
            total = len(rows)
        else:  # without a query, or past the last page of one
            total = await conn.fetchval(query.count_sql, *query.count_params)
    fields = InstrumentSummaryOut.__struct_fields__
    items = [InstrumentSummaryOut(**{f: row[f] for f in fields}) for row in rows]
    return Page(items=items, total=int(total), page=page, page_size=page_size)


async def _detail(conn: asyncpg.Connection, instrument_id: int, signed_in: bool) -> InstrumentOut:
    row = await conn.fetchrow(sql.INSTRUMENT_DETAIL, instrument_id)
    if row is None:
        raise NotFound(f"instrument {instrument_id} does not exist")
    managers = await conn.fetch(
        sql.INSTRUMENT_MANAGERS,
        instrument_id,
    )
    hours = await conn.fetch(
        sql.WEEKLY_HOURS,
        instrument_id,
    )
    policy = await load_policy(conn, instrument_id)
    summary = PolicySummaryOut(
        **{
            f: getattr(policy, f) for f in PolicySummaryOut.__struct_fields__ if f != "service_ways"
        },
        service_ways=list(policy.service_ways),
    )
    base = {f: row[f] for f in InstrumentOut.__struct_fields__ if f in row.keys()}  # noqa: SIM118
    return InstrumentOut(
        **base,
        managers=[
            ManagerOut(m["id"], m["display_name"], m["email"] if signed_in else None)
            for m in managers
        ],
        opening_hours=[OpeningOut(h["weekday"], h["opens"], h["closes"]) for h in hours],
        policy=summary,
    )


async def get_instrument(db: Database, instrument_id: int, signed_in: bool) -> InstrumentOut:
    async with db.connection() as conn:
        return await _detail(conn, instrument_id, signed_in)


async def create_instrument(
    db: Database, user: Principal, data: InstrumentIn, today: date
) -> InstrumentOut:
    fields = set_fields(data)
    violations = rules.check_instrument_fields(fields, today)
    if violations:
        raise _invalid(violations)

    async def work(conn: asyncpg.Connection) -> InstrumentOut:
        await _check_refs(conn, category=data.category_code, institution=data.institution_id)
        if not rules.can_create_instrument(user, data.institution_id):
            raise Forbidden("Only admins of the institution may register its instruments.")
        await _check_codes(conn, fields)
        async with codes.inner_id_taken():
            new_id = await conn.fetchval(sql.insert_instrument(list(fields)), *fields.values())
        await index_instruments(conn, [new_id])
        return await _detail(conn, new_id, True)

    return await db.in_transaction(work)


async def _lock(conn: asyncpg.Connection, instrument_id: int) -> asyncpg.Record:
    row = await conn.fetchrow(
        sql.LOCK_INSTRUMENT,
        instrument_id,
    )
    if row is None:
        raise NotFound(f"instrument {instrument_id} does not exist")
    return row


def _authorize_write(user: Principal, row: asyncpg.Record, if_match: int | None) -> None:
    if not rules.can_edit_instrument(user, row["id"], row["institution_id"]):
        raise Forbidden(
            "Only the instrument's managers and its institution's admins may change it."
        )
    if row["retired_at"] is not None:
        raise Conflict("The instrument is retired; its record is kept read-only.")
    if if_match is not None and if_match != row["version"]:
        raise PreconditionFailed(
            "The instrument was changed by someone else; reload it and try again.",
            extra={"current_version": row["version"]},
        )


async def update_instrument(
    db: Database,
    user: Principal,
    instrument_id: int,
    data: InstrumentPatchIn,
    *,
    if_match: int | None,
    today: date,
) -> InstrumentOut:
    fields = set_fields(data)
    violations = rules.check_instrument_fields(fields, today)
    if violations:
        raise _invalid(violations)

    async def work(conn: asyncpg.Connection) -> InstrumentOut:
        row = await _lock(conn, instrument_id)
        _authorize_write(user, row, if_match)
        target = fields.get("institution_id", row["institution_id"])
        if target != row["institution_id"]:
            await _check_refs(conn, institution=int(str(target)))
            if not rules.can_move_instrument(user, row["institution_id"], int(str(target))):
                raise Forbidden("Only admins of both institutions may move an instrument.")
        if "category_code" in fields:
            await _check_refs(conn, category=str(fields["category_code"]))
        await _check_codes(conn, fields)
        async with codes.inner_id_taken():
            await conn.execute(
                sql.update_instrument(list(fields)),
                instrument_id,
                *fields.values(),
            )
        await index_instruments(conn, [instrument_id])
        return await _detail(conn, instrument_id, True)

    return await db.in_transaction(work)


async def retire_instrument(db: Database, user: Principal, instrument_id: int) -> InstrumentOut:
    async def work(conn: asyncpg.Connection) -> InstrumentOut:
        row = await _lock(conn, instrument_id)
        _authorize_write(user, row, None)
        await conn.execute(
            sql.RETIRE_INSTRUMENT,
            instrument_id,
        )
        return await _detail(conn, instrument_id, True)

    return await db.in_transaction(work)


async def managed_instrument(
    conn: asyncpg.Connection, user: Principal, instrument_id: int
) -> asyncpg.Record:
    """The instrument row (id, institution, zone) if `user` may manage it; 404 if it does not
    exist, 403 if `user` is not one of its managers or its institution's admins."""
    row = await conn.fetchrow(sql.MANAGED_INSTRUMENT, instrument_id)
    if row is None:
        raise NotFound(f"Instrument {instrument_id} does not exist.")
    if not user.can_manage_instrument(instrument_id, row["institution_id"]):
        raise Forbidden("Only the instrument's managers and its institution's admins may do this.")
    return row
