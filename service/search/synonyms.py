"""Admin synonyms: list the dictionary, add an entry, remove one.

Both are recorded in the audit log. An entry changes the dictionary version (a trigger on `search_synonym`); the index rows built
with the older dictionary are rebuilt by `index.rebuild_stale`, which the route starts right
after answering and the `search_index_pending` job runs every minute anyway.
"""

from __future__ import annotations

import asyncpg

from service.accounts.principal import Principal, require_platform_admin
from service.audit import store as audit
from service.common.schemas import Violation
from service.db import Database
from service.errors import NotFound, Unprocessable
from service.search import loader, segment, store
from service.search.dictionary import is_category, shipped
from service.search.schemas import (
    SearchConceptOut,
    SearchDictionaryOut,
    SynonymEntryIn,
    SynonymEntryOut,
)


def _entry(row: asyncpg.Record) -> SynonymEntryOut:
    return SynonymEntryOut(
        id=row["id"],
        concept=row["concept"],
        terms=list(row["terms"]),
        broader=list(row["broader"]),
        note=row["note"],
        created_at=row["created_at"],
    )


async def dictionary(db: Database) -> SearchDictionaryOut:
    async with db.connection() as conn:
        current = await loader.current_dictionary(conn, fresh=True)
        rows = await store.synonym_rows(conn)
        _, indexed = await store.dictionary_state(conn)
    custom = {r["concept"] for r in rows}
    shipped_keys = {c.key for c in shipped()}

    def source(key: str) -> str:
        if key in custom:
            return "custom"
        return "category" if is_category(key) else "shipped" if key in shipped_keys else "custom"

    concepts = [
        SearchConceptOut(c.key, list(c.terms), list(c.broader), source(c.key))
        for c in sorted(current.concepts.values(), key=lambda c: c.key)
    ]
    return SearchDictionaryOut(
        concepts=concepts,
        entries=[_entry(r) for r in rows],
        version=current.version,
        up_to_date=indexed == current.version,
    )


def _check(data: SynonymEntryIn, known: set[str]) -> list[Violation]:
    problems: list[Violation] = []
    blank = [t for t in data.terms if not segment.sequence(t)]
    if blank:
        problems.append(Violation("terms", f"terms without a searchable word: {blank!r}"))
    unknown = [b for b in data.broader if b not in known and b != data.concept]
    if unknown:
        problems.append(Violation("broader", f"unknown concepts {unknown!r}"))
    if data.concept in data.broader:
        problems.append(Violation("broader", "a concept cannot be broader than itself"))
    return problems


async def add_entry(db: Database, user: Principal, data: SynonymEntryIn) -> SynonymEntryOut:
    require_platform_admin(user)
    async with db.transaction() as conn:
        current = await loader.current_dictionary(conn, fresh=True)
        problems = _check(data, set(current.concepts))
        if problems:
            raise Unprocessable(
                "; ".join(f"{p.rule}: {p.message}" for p in problems),
                extra={"violations": problems},
            )
        terms = list(dict.fromkeys(t.strip() for t in data.terms))
        row = await store.insert_synonym(
            conn, data.concept, terms, list(data.broader), note=data.note, created_by=user.user_id
        )
        await audit.record(
            conn, "search.synonyms_added", actor_user_id=user.user_id,
            detail={"entry": row["id"], "concept": data.concept, "terms": terms},
        )  # fmt: skip
    loader.forget_dictionary()
    return _entry(row)


async def remove_entry(db: Database, user: Principal, entry_id: int) -> None:
    require_platform_admin(user)
    async with db.transaction() as conn:
        if not await store.delete_synonym(conn, entry_id):
            raise NotFound(f"synonym entry {entry_id} does not exist")
        await audit.record(
            conn, "search.synonyms_removed", actor_user_id=user.user_id, detail={"entry": entry_id}
        )
    loader.forget_dictionary()
