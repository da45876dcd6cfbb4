"""Booking policy: hours when chosen rules are relaxed (nights and weekends of self-service
instruments)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from service.migrate import run_sql

ID = "2026-12-03T15:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "booking policy: relaxed windows and the rules they relax"

SQL = """
-- Weekly wall-clock windows in the instrument's zone, as [{"weekday": 6, "start": "00:00",
-- "end": "24:00"}, ...], and which rules do not apply inside them (see
-- service/bookings/rules.py: a booking wholly inside the windows is not held to the relaxed
-- duration and horizon; time inside them does not count against the relaxed day and week caps).
ALTER TABLE booking_policy
    ADD COLUMN relaxed_windows jsonb NOT NULL DEFAULT '[]'
        CHECK (jsonb_typeof(relaxed_windows) = 'array'),
    ADD COLUMN relaxed_rules text[] NOT NULL DEFAULT '{}'
        CHECK (relaxed_rules <@ '{max_duration,horizon,daily_limit,weekly_limit}'::text[]);
"""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="service", description=DESCRIPTION)

    async def run() -> None:
        await run_sql(SQL)

    manager.add_raw(run)
    return manager
