"""Bookings made by a manager on behalf of a user keep who made them."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from service.migrate import run_sql

ID = "2026-12-03T15:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "booking: booked_by"

SQL = """
-- The manager who made the booking for its user (NULL: the user booked it). The booking is
-- the user's in every other respect: fee class, limits, calendar feed, notices.
ALTER TABLE booking ADD COLUMN booked_by bigint REFERENCES app_user(id) ON DELETE SET NULL;
"""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="service", description=DESCRIPTION)

    async def run() -> None:
        await run_sql(SQL)

    manager.add_raw(run)
    return manager
