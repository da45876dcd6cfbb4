"""Availability at scale: a btree over each instrument's active claims, in start order."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from service.migrate import run_sql

ID = "2026-11-26T16:05:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "availability: btree over active claims per instrument"

SQL = """
-- Active claims of one instrument never overlap (booking_no_overlap), so ordered by start they
-- are ordered by end as well: the last claim starting before a window's end is the only one
-- that can reach into the window. One descent of this index answers "is it free?", whatever
-- the length of the claims (maintenance blocks have no upper bound), and covers the columns a
-- free/busy listing reads.
CREATE INDEX booking_active_claim_idx ON booking (instrument_id, starts_at)
    INCLUDE (occupied_until, kind)
    WHERE status IN ('held', 'pending', 'confirmed', 'in_use');
"""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="service", description=DESCRIPTION)

    async def run() -> None:
        await run_sql(SQL)

    manager.add_raw(run)
    return manager
