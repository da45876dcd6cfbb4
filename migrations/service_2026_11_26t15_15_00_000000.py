"""Availability: local wall-clock time to UTC in SQL, resolved exactly as the Python code does."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from service.migrate import run_sql

ID = "2026-11-26T15:15:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "availability: local-to-UTC conversion for set-based opening-hours checks"

SQL = """
-- `local AT TIME ZONE tz` moves a wall time skipped by spring-forward ahead by the gap (as the
-- application does) but reads a repeated fall-back wall time as the later instant; the
-- application takes the first one. Prefer the instant one hour earlier when it shows the same
-- wall time, so SQL and Python agree on what "open" means.
CREATE FUNCTION availability_local_to_utc(local timestamp, tz text) RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN ((local AT TIME ZONE tz) - interval '1 hour') AT TIME ZONE tz = local
            THEN (local AT TIME ZONE tz) - interval '1 hour'
        ELSE local AT TIME ZONE tz
    END
$$;
"""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="service", description=DESCRIPTION)

    async def run() -> None:
        await run_sql(SQL)

    manager.add_raw(run)
    return manager
