"""The process's current dictionary and typo vocabulary, loaded from the database and cached.

The dictionary is the shipped file merged with the classification and the admins' synonyms;
it is rebuilt when the database's dictionary version moves (checked at most every
`REFRESH_SECONDS` for queries; writers ask for the exact current one, so an index row always
records the dictionary it was really built with). The vocabulary is re-read every
`VOCABULARY_SECONDS`; words this process indexes are added at once.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field

import asyncpg

from service.search import store
from service.search.dictionary import SHIPPED, Dictionary, category_concepts, merge, shipped
from service.search.typos import Vocabulary

#: Bump when the way documents are built changes: every row is then rebuilt by the job.
DOCUMENT_FORMAT = "1"
REFRESH_SECONDS = 2.0
VOCABULARY_SECONDS = 60.0


def _digest() -> str:
    data = SHIPPED.read_bytes() + DOCUMENT_FORMAT.encode()
    return hashlib.sha256(data).hexdigest()[:12]


SHIPPED_DIGEST = _digest()


def dictionary_id(version: int) -> str:
    """The database's dictionary version and the shipped file's digest, together."""
    return f"{version}-{SHIPPED_DIGEST}"


@dataclass(slots=True)
class _Cache:
    dictionary: Dictionary | None = None
    checked: float = -1e9
    vocabulary: Vocabulary = field(default_factory=Vocabulary)
    vocabulary_read: float = -1e9


_cache = _Cache()


async def current_dictionary(conn: asyncpg.Connection, *, fresh: bool = False) -> Dictionary:
    now = time.monotonic()
    cached = _cache.dictionary
    if cached is not None and not fresh and now - _cache.checked < REFRESH_SECONDS:
        return cached
    version, _ = await store.dictionary_state(conn)
    ident = dictionary_id(version)
    if cached is None or cached.version != ident:
        concepts = merge(
            shipped(),
            category_concepts(await store.categories(conn)),
            await store.custom_concepts(conn),
        )
        cached = Dictionary.build(concepts, ident)
        _cache.dictionary = cached
    _cache.checked = now
    return cached


def forget_dictionary() -> None:
    """Make the next caller read the dictionary version again (after an admin change)."""
    _cache.checked = -1e9


async def vocabulary(conn: asyncpg.Connection) -> Vocabulary:
    now = time.monotonic()
    if now - _cache.vocabulary_read >= VOCABULARY_SECONDS:
        _cache.vocabulary = Vocabulary(await store.vocabulary(conn))
        _cache.vocabulary_read = now
    return _cache.vocabulary


def learn(words: set[str]) -> None:
    """Words this process just indexed are known at once, without waiting for a re-read."""
    _cache.vocabulary.add(words)
