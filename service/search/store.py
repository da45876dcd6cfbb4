"""Runs the search package's SQL on a connection and maps rows; opens no transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import asyncpg

from service.search import sql
from service.search.dictionary import CategoryName, Concept
from service.search.document import InstrumentText

#: Separates the fields of one class in `INSTRUMENT_TEXTS` (the unit separator, never in names).
_UNIT = chr(31)


async def dictionary_state(conn: asyncpg.Connection) -> tuple[int, str]:
    row = await conn.fetchrow(sql.DICTIONARY_STATE)
    assert row is not None, "the search migration inserts the state row"
    return int(row["version"]), str(row["indexed"])


async def synonym_rows(conn: asyncpg.Connection) -> list[asyncpg.Record]:
    return list(await conn.fetch(sql.SYNONYMS))


async def custom_concepts(conn: asyncpg.Connection) -> list[Concept]:
    return [
        Concept(r["concept"], tuple(r["terms"]), tuple(r["broader"]))
        for r in await synonym_rows(conn)
    ]


async def categories(conn: asyncpg.Connection) -> list[CategoryName]:
    return [
        CategoryName(r["code"], r["parent_code"], r["name_zh"], r["name_en"])
        for r in await conn.fetch(sql.CATEGORIES)
    ]


async def insert_synonym(
    conn: asyncpg.Connection,
    concept: str,
    terms: list[str],
    broader: list[str],
    *,
    note: str,
    created_by: int | None,
) -> asyncpg.Record:
    row = await conn.fetchrow(sql.INSERT_SYNONYM, concept, terms, broader, note, created_by)
    assert row is not None
    return row


async def delete_synonym(conn: asyncpg.Connection, synonym_id: int) -> bool:
    return await conn.fetchval(sql.DELETE_SYNONYM, synonym_id) is not None


async def instrument_texts(
    conn: asyncpg.Connection, ids: Sequence[int]
) -> list[tuple[int, InstrumentText]]:
    rows = await conn.fetch(sql.INSTRUMENT_TEXTS, list(ids))
    return [(r["id"], _text(r)) for r in rows]


def _text(row: asyncpg.Record) -> InstrumentText:
    chain = [tuple(c.split(_UNIT)) for c in row["categories"] or ()]
    return InstrumentText(
        name_zh=row["name_zh"],
        name_en=row["name_en"],
        model=row["model"],
        manufacturer=row["manufacturer"],
        specs=row["specs"],
        functions=row["functions"],
        subject_areas=list(row["subject_areas"]),
        categories=[(c[0], c[1], c[2]) for c in chain if len(c) == 3],
    )


async def write_documents(
    conn: asyncpg.Connection, ids: list[int], documents: list[str], dictionary: str
) -> None:
    status = await conn.execute(sql.WRITE_DOCUMENTS, ids, documents, dictionary)
    if int(status.split()[-1]) < len(ids):
        await conn.execute(sql.ADD_ROWS, ids)
        await conn.execute(sql.WRITE_DOCUMENTS, ids, documents, dictionary)
    await conn.execute(sql.DEQUEUE, ids)


async def add_words(conn: asyncpg.Connection, words: set[str]) -> None:
    if words:
        await conn.execute(sql.ADD_WORDS, sorted(words))


async def vocabulary(conn: asyncpg.Connection) -> list[str]:
    return [r["word"] for r in await conn.fetch(sql.VOCABULARY)]


async def claim_pending(conn: asyncpg.Connection, limit: int) -> list[int]:
    return [r["instrument_id"] for r in await conn.fetch(sql.CLAIM_PENDING, limit)]


async def stale_after(
    conn: asyncpg.Connection, dictionary: str, after: int, limit: int
) -> list[int]:
    rows = await conn.fetch(sql.STALE_AFTER, dictionary, after, limit)
    return [r["instrument_id"] for r in rows]


async def mark_indexed(conn: asyncpg.Connection, dictionary: str) -> None:
    await conn.execute(sql.MARK_INDEXED, dictionary)


async def missing_suggestions(conn: asyncpg.Connection, ids: list[int]) -> list[tuple[str, str]]:
    return [(r["name_zh"], r["name_en"]) for r in await conn.fetch(sql.MISSING_SUGGESTIONS, ids)]


async def all_names(conn: asyncpg.Connection) -> list[tuple[str, str]]:
    return [(r["name_zh"], r["name_en"]) for r in await conn.fetch(sql.ALL_NAMES)]


async def add_suggestions(
    conn: asyncpg.Connection, kind: str, rows: Sequence[tuple[str, str, str | None, str]]
) -> None:
    # Several classes may share a name (`其他` under many parents): one suggestion per name.
    unique = list({(r[0], r[1]): r for r in rows}.values())
    if unique:
        columns: list[list[Any]] = [list(c) for c in zip(*unique, strict=True)]
        await conn.execute(sql.ADD_SUGGESTIONS, kind, *columns)


async def count_suggestions(conn: asyncpg.Connection) -> None:
    await conn.execute(sql.COUNT_NAMES)
    await conn.execute(sql.COUNT_CLASSES)
    await conn.execute(sql.DROP_UNUSED)


async def suggest(
    conn: asyncpg.Connection, query: str, exact: str, limit: int
) -> list[asyncpg.Record]:
    return list(await conn.fetch(sql.SUGGEST, query, exact, limit))
