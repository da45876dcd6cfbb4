"""A contact telephone number of each user, shown to the managers of the instruments the user
books (requests, upcoming bookings, displaced bookings), so a manager can call about a sample
or a change of plan."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from service.migrate import run_sql

ID = "2026-12-03T16:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "user contact phone"

SQL = """
ALTER TABLE app_user
    ADD COLUMN phone text NOT NULL DEFAULT ''
        CHECK (phone ~ '^[0-9+() -]{0,30}$');
"""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="service", description=DESCRIPTION)

    async def run() -> None:
        await run_sql(SQL)

    manager.add_raw(run)
    return manager
