"""Booking policy: more per-user limits and the no-show grace of each instrument."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from service.migrate import run_sql

ID = "2026-12-03T15:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "booking policy: bookings per day, future hours, gap between bookings, no-show grace"

SQL = """
-- Limits besides the hours per day and week (NULL or 0: no limit): how many bookings a person
-- may have on one local day, how many hours they may hold in the future, and how long apart
-- two bookings of the same person must be (unlike the buffer it blocks only that person).
-- The no-show grace is how long after the start an unused booking becomes a no-show.
ALTER TABLE booking_policy
    ADD COLUMN max_bookings_per_day integer CHECK (max_bookings_per_day > 0),
    ADD COLUMN max_future_hours numeric(7, 2) CHECK (max_future_hours > 0),
    ADD COLUMN min_gap_minutes integer NOT NULL DEFAULT 0
        CHECK (min_gap_minutes BETWEEN 0 AND 1440),
    ADD COLUMN no_show_grace_minutes integer NOT NULL DEFAULT 30
        CHECK (no_show_grace_minutes BETWEEN 0 AND 1440);
"""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="service", description=DESCRIPTION)

    async def run() -> None:
        await run_sql(SQL)

    manager.add_raw(run)
    return manager
