"""Metrics: month-to-date running totals and external-institution sets, so that any range of
local dates is answered from one row per instrument and period (no day rows at the edges)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from service.migrate import run_sql

ID = "2026-11-26T16:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "metrics: running totals per month, external-institution bitmaps"

SQL = """
-- Each user institution that ever served as external user gets a small dense number: its bit in
-- the bitmaps below. Numbers are assigned by the roll-up (which runs one chunk at a time).
CREATE TABLE metrics_institution_slot (
    institution_id bigint PRIMARY KEY,
    slot integer NOT NULL UNIQUE CHECK (slot >= 0)
);

-- The external user institutions of a month or year row, one bit per slot (bit 0 leftmost).
-- Bitmaps written at different times may differ in length: readers pad them to one width.
ALTER TABLE usage_period ADD COLUMN ext_institutions bit varying;

-- Per instrument and local month: run[k + 1][c] is figure c (usage_daily's column order, from
-- effective_s to no_shows) summed over days 1..k, so the days [a, b) of the month cost
-- run[b][c] - run[a][c]. ext_upto[k] / ext_from[k] are the external institutions of days 1..k /
-- k..end (NULL when none). Kept inline and uncompressed: readers pick a few elements per row.
CREATE TABLE usage_month_run (
    instrument_id bigint NOT NULL REFERENCES instrument(id) ON DELETE CASCADE,
    month date NOT NULL CHECK (extract(day FROM month) = 1),
    run integer[] NOT NULL,
    ext_upto bit varying[],
    ext_from bit varying[],
    PRIMARY KEY (month, instrument_id)
);
ALTER TABLE usage_month_run ALTER COLUMN run SET STORAGE PLAIN;
CREATE INDEX usage_month_run_instrument_idx ON usage_month_run (instrument_id, month);
"""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="service", description=DESCRIPTION)

    async def run() -> None:
        await run_sql(SQL)

    manager.add_raw(run)
    return manager
