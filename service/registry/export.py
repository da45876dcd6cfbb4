"""Registry exports: the catalogue (CSV or JSON) and service records, streamed so a province's
whole catalogue or a year of records never sits in memory.

The query and the permission check run before the first byte is sent: a caller without the
right gets a 403, not a truncated file.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable, Sequence
from datetime import date
from typing import Any

from service.accounts.principal import Principal
from service.common.sql import Params
from service.db import Database
from service.metrics.csvout import lines
from service.metrics.scope import Filters, visible_where
from service.metrics.sql import external_use
from service.registry import store, vocab
from service.registry.catalogue import institution_columns, instrument_record
from service.registry.records import service_record

BATCH = 500


def _instrument_fields(with_institution: bool) -> tuple[tuple[str, str], ...]:
    return vocab.INSTRUMENT_FIELDS + (vocab.INSTITUTION_FIELDS if with_institution else ())


async def _catalogue_dicts(
    db: Database, institutions: list[int] | None, base_url: str, with_institution: bool
) -> AsyncIterator[dict[str, str]]:
    async with db.transaction() as conn:
        async for row in store.catalogue_rows(conn, institutions):
            record = instrument_record(row, base_url)
            if with_institution:
                record |= institution_columns(row)
            yield record


async def _csv(
    header: Sequence[str], keys: Sequence[str], records: AsyncIterator[dict[str, str]]
) -> AsyncIterator[bytes]:
    yield next(iter(lines(header, []))).encode("utf-8")
    batch: list[list[str]] = []
    async for record in records:
        batch.append([record[k] for k in keys])
        if len(batch) == BATCH:
            yield _rows(batch)
            batch = []
    if batch:
        yield _rows(batch)


def _rows(batch: Iterable[Sequence[Any]]) -> bytes:
    return "".join(list(lines([], batch, bom=False))[1:]).encode("utf-8")


async def _json(records: AsyncIterator[dict[str, str]]) -> AsyncIterator[bytes]:
    """A JSON array, one record per line."""
    yield b"["
    first = True
    async for record in records:
        yield (b"\n" if first else b",\n") + json.dumps(record, ensure_ascii=False).encode()
        first = False
    yield b"\n]\n"


def catalogue(
    db: Database,
    institutions: list[int] | None,
    *,
    base_url: str,
    fmt: str,
    chinese_header: bool = False,
    with_institution: bool = False,
) -> AsyncIterator[bytes]:
    fields = _instrument_fields(with_institution)
    records = _catalogue_dicts(db, institutions, base_url, with_institution)
    if fmt == "json":
        return _json(records)
    keys = [name for name, _ in fields]
    return _csv(vocab.headers(fields, chinese_header), keys, records)


async def _service_dicts(
    db: Database, where: str, args: list[Any]
) -> AsyncIterator[dict[str, str]]:
    async with db.transaction() as conn:
        async for row in store.service_record_rows(conn, where, args):
            yield service_record(row)


def service_records(
    db: Database,
    user: Principal,
    date_from: date,
    date_to: date,
    *,
    fmt: str,
    external_only: bool = True,
    chinese_header: bool = False,
    institution: int | None = None,
) -> AsyncIterator[bytes]:
    p = Params()
    p.add(date_from)
    p.add(date_to)
    where = visible_where(user, p, Filters(institution=institution))
    if external_only:  # as the sharing figures count it (legal entities, verified users)
        where += " AND " + external_use(owner_entity="coalesce(n.legal_entity_id, n.id)")
    records = _service_dicts(db, where, p.args)
    if fmt == "json":
        return _json(records)
    fields = vocab.SERVICE_RECORD_FIELDS
    return _csv(vocab.headers(fields, chinese_header), [n for n, _ in fields], records)
