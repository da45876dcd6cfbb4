"""The code lists of `service.common.codes` are the database's: each CHECK constraint allows
exactly the codes the list names, and "occupying" is exactly what the no-overlap constraint
guards. A code added on one side only fails here."""

from __future__ import annotations

import re

import pytest

from service.common import codes
from service.db import Database

_QUOTED = re.compile(r"'([a-z_]+)'")

CHECKED = [
    ("booking", "status", codes.BOOKING_STATUSES),
    ("booking", "kind", codes.BOOKING_KINDS),
    ("booking", "service_way", codes.SERVICE_WAYS),
    ("booking", "fee_class", codes.FEE_CLASSES),
    ("instrument", "share_mode", codes.SHARE_MODES),
    ("instrument", "status", codes.INSTRUMENT_STATUSES),
    ("institution", "kind", codes.INSTITUTION_KINDS),
    ("booking_policy", "approval", codes.APPROVAL_MODES),
]


async def _checks_on(db: Database, table: str, column: str) -> list[str]:
    rows = await db.fetch(
        """SELECT pg_get_constraintdef(c.oid) AS def
           FROM pg_constraint c
           JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey)
           WHERE c.conrelid = $1::regclass AND c.contype = 'c' AND a.attname = $2
             AND cardinality(c.conkey) = 1""",
        table,
        column,
    )
    return [row["def"] for row in rows]


@pytest.mark.parametrize(("table", "column", "listed"), CHECKED)
async def test_each_code_list_is_what_the_database_allows(
    db: Database, table: str, column: str, listed: tuple[str, ...]
) -> None:
    checks = await _checks_on(db, table, column)
    assert len(checks) == 1, checks
    assert set(_QUOTED.findall(checks[0])) == set(listed)


async def test_occupying_statuses_are_the_ones_the_no_overlap_constraint_guards(
    db: Database,
) -> None:
    definition = await db.fetchval(
        """SELECT pg_get_constraintdef(oid) FROM pg_constraint
           WHERE conrelid = 'booking'::regclass AND conname = 'booking_no_overlap'"""
    )
    where = definition.split("WHERE", 1)[1]
    assert set(_QUOTED.findall(where)) == set(codes.OCCUPYING)


def test_named_sets_are_made_of_listed_codes() -> None:
    for name in ("OCCUPYING", "CANCELLABLE", "REMINDABLE", "FEED_VISIBLE", "ENDED_UNUSED",
                 "RESCHEDULABLE", "KEPT", "USED_OR_MISSED", "LATE_RECORDABLE",
                 "MAINTENANCE_IN_FORCE"):  # fmt: skip
        assert set(getattr(codes, name)) <= set(codes.BOOKING_STATUSES), name
    assert set(codes.UNBOOKABLE_INSTRUMENT_STATUSES) <= set(codes.INSTRUMENT_STATUSES)


def test_sql_in_renders_constant_codes_and_refuses_anything_else() -> None:
    assert codes.sql_in(codes.REMINDABLE) == "('pending', 'confirmed')"
    for bad in ([], ["x'); DROP TABLE booking; --"], ["a b"]):
        with pytest.raises(ValueError):
            codes.sql_in(bad)
