"""Keeping the index current: THE function every instrument write calls, the queue, rebuilds.

`index_instruments(conn, ids)` is the one entry point for writers. Call it inside the
transaction that inserted or changed the instruments, after the write:

    async with db.transaction() as conn:
        new_id = await insert_instrument(conn, ...)  # the write itself
        await index_instruments(conn, [new_id])

It reads the instruments' searched fields as the transaction sees them, builds their documents
with the current dictionary, writes them, and takes them off the `search_pending` queue, so
the instruments are searchable exactly when the write commits. The database queues every
inserted or changed instrument by itself (a trigger), so a writer that forgets the call, or
plain SQL, is still indexed by the `search_index_pending` job within a minute.

A dictionary change (admin synonyms, classes added or renamed, a new shipped dictionary) moves
the dictionary version; `rebuild_stale` then rebuilds the rows built with an older one, in
batches of their own transactions, and records the version it reached.
"""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from service.db import Database
from service.search import document, loader, sql, store
from service.search.dictionary import Dictionary

BATCH = 500


async def index_instruments(conn: asyncpg.Connection, ids: Sequence[int]) -> int:
    """(Re)build the search documents of `ids` in the caller's transaction; returns how many
    instruments were indexed (ids that do not exist are skipped)."""
    wanted = sorted(set(ids))
    if not wanted:
        return 0
    dictionary = await loader.current_dictionary(conn, fresh=True)
    done = 0
    for start in range(0, len(wanted), BATCH):
        done += await _index_batch(conn, dictionary, wanted[start : start + BATCH])
    return done


async def _index_batch(conn: asyncpg.Connection, dictionary: Dictionary, ids: list[int]) -> int:
    texts = await store.instrument_texts(conn, ids)
    if not texts:
        return 0
    found = [i for i, _ in texts]
    documents = [document.build(t, dictionary) for _, t in texts]
    words: set[str] = set()
    for _, text in texts:
        words |= document.vocabulary(text)
    await store.write_documents(conn, found, documents, dictionary.version)
    await store.add_words(conn, words)
    names = await store.missing_suggestions(conn, found)
    await _write_names(conn, dictionary, names)
    loader.learn(words)
    return len(found)


async def _write_names(
    conn: asyncpg.Connection, dictionary: Dictionary, names: list[tuple[str, str]]
) -> None:
    rows = [(zh, en, None, document.suggestion(zh, en, dictionary)) for zh, en in names]
    await store.add_suggestions(conn, "instrument", rows)


async def index_pending(db: Database, batch: int = BATCH) -> int:
    """Index every queued instrument, a batch per transaction; safe to run concurrently (each
    run claims its batch with SKIP LOCKED)."""
    total = 0
    while True:
        async with db.transaction() as conn:
            ids = await store.claim_pending(conn, batch)
            if not ids:
                return total
            total += await index_instruments(conn, ids)
            # Ids of instruments deleted meanwhile are simply dropped from the queue.
            await conn.execute(sql.DEQUEUE, ids)


async def rebuild_stale(db: Database, batch: int = BATCH) -> int:
    """Rebuild the rows built with another dictionary, and the suggestions, when the dictionary
    moved since the last complete rebuild; returns the number of instruments rebuilt."""
    async with db.connection() as conn:
        version, indexed = await store.dictionary_state(conn)
        current = loader.dictionary_id(version)
        if indexed == current:
            return 0
        dictionary = await loader.current_dictionary(conn, fresh=True)
    total, after = 0, 0
    while True:
        async with db.transaction() as conn:
            ids = await store.stale_after(conn, dictionary.version, after, batch)
            if not ids:
                break
            total += await index_instruments(conn, ids)
            after = ids[-1]
    await rebuild_suggestions(db, dictionary)
    async with db.transaction() as conn:
        await store.mark_indexed(conn, dictionary.version)
    return total


async def rebuild_suggestions(db: Database, dictionary: Dictionary) -> None:
    """Every distinct instrument name and every class, with documents from `dictionary`."""
    async with db.transaction() as conn:
        await _write_names(conn, dictionary, await store.all_names(conn))
        classes = [
            (
                c.name_zh,
                c.name_en,
                c.code,
                document.suggestion(c.name_zh, c.name_en, dictionary, c.code),
            )
            for c in await store.categories(conn)
        ]
        await store.add_suggestions(conn, "category", classes)
        await store.count_suggestions(conn)


async def refresh(db: Database) -> dict[str, int]:
    """What the job and `serve` run: the queue, then a rebuild if the dictionary moved, then
    the suggestion counts."""
    pending = await index_pending(db)
    rebuilt = await rebuild_stale(db)
    async with db.transaction() as conn:
        await store.count_suggestions(conn)
    return {"indexed": pending, "rebuilt": rebuilt}


async def reindex_all(db: Database) -> int:
    """`python -m service search reindex`: rebuild every instrument and every suggestion."""
    async with db.transaction() as conn:
        await conn.execute(sql.QUEUE_ALL)
        dictionary = await loader.current_dictionary(conn, fresh=True)
    total = await index_pending(db)
    await rebuild_suggestions(db, dictionary)
    async with db.transaction() as conn:
        await store.mark_indexed(conn, dictionary.version)
    return total
