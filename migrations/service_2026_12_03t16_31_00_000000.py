"""How long before a booking's start the check-in opens, per instrument policy (and the
institution default): the pages offer check-in only from then, and the service refuses it
earlier."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from service.migrate import run_sql

ID = "2026-12-03T16:31:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "check-in lead time in booking policies"

SQL = """
ALTER TABLE booking_policy
    ADD COLUMN check_in_lead_minutes integer NOT NULL DEFAULT 30
        CHECK (check_in_lead_minutes BETWEEN 0 AND 1440);
"""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="service", description=DESCRIPTION)

    async def run() -> None:
        await run_sql(SQL)

    manager.add_raw(run)
    return manager
