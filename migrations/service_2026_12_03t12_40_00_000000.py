"""Metrics: one instrument's month and year flows are found without scanning everyone's."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from service.migrate import run_sql

ID = "2026-12-03T12:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "metrics: flow_period by instrument"

SQL = """
-- A late change rewrites the months and the year of a few instruments: without this index the
-- rewrite of one instrument's flows read every instrument's rows of the year.
CREATE INDEX flow_period_instrument_idx ON flow_period (instrument_id, grain, period_start);
"""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="service", description=DESCRIPTION)

    async def run() -> None:
        await run_sql(SQL)

    manager.add_raw(run)
    return manager
