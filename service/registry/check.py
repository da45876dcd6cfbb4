"""The completeness check: per instrument, which registry fields are missing."""

from __future__ import annotations

from service.db import Database
from service.registry import store
from service.registry.completeness import gaps
from service.registry.schemas import CompletenessOut, InstrumentGapsOut


async def completeness(db: Database, institutions: list[int] | None) -> CompletenessOut:
    items: list[InstrumentGapsOut] = []
    total = 0
    async with db.transaction() as conn:
        async for row in store.catalogue_rows(conn, institutions):
            total += 1
            found = gaps(dict(row))
            if found:
                items.append(
                    InstrumentGapsOut(
                        id=row["id"],
                        name_zh=row["name_zh"],
                        inner_id=row["inner_id"],
                        institution_id=row["institution_id"],
                        gaps=found,
                    )
                )
    return CompletenessOut(instruments=total, complete=total - len(items), items=items)
