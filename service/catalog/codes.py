"""Registry codes on an instrument: GB/T 2659 countries and GB/T 13745 disciplines (reference
tables shipped by the migrations), and the asset number that must be unique per institution."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg

from service.catalog import sql
from service.common.schemas import Violation
from service.errors import Conflict


async def check_codes(conn: asyncpg.Connection, fields: dict[str, Any]) -> list[Violation]:
    if "country_code" not in fields and "subject_codes" not in fields:
        return []
    row = await conn.fetchrow(
        sql.UNKNOWN, fields.get("country_code"), list(fields.get("subject_codes") or [])
    )
    assert row is not None
    found: list[Violation] = []
    if not row["country"]:
        found.append(Violation("country_code", f"unknown country {fields['country_code']!r}"))
    if row["subjects"]:
        bad = ", ".join(row["subjects"])
        found.append(Violation("subject_codes", f"unknown GB/T 13745 discipline code(s) {bad}"))
    return found


async def derive_country_code(conn: asyncpg.Connection, fields: dict[str, Any]) -> None:
    """A `country` sent without a `country_code` sets the code when it names a known country."""
    if "country" in fields and fields.get("country_code") is None:
        name = str(fields["country"]).strip()
        fields["country_code"] = await conn.fetchval(sql.COUNTRY_BY_NAME, name) if name else None


@asynccontextmanager
async def inner_id_taken() -> AsyncIterator[None]:
    """Turn the unique index on (institution, asset number) into a 409 the caller understands."""
    try:
        yield
    except asyncpg.UniqueViolationError as exc:
        if exc.constraint_name != "instrument_inner_id_uq":
            raise
        raise Conflict(
            "Another instrument of this institution already has this asset number (inner_id)."
        ) from exc
