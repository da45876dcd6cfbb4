"""Identity in the figures: usage sessions snapshot whether the user's affiliation was verified;
the roll-up keeps external hours of unverified accounts on their own line."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from service.migrate import run_sql

ID = "2026-12-03T11:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "metrics: verified-affiliation snapshot on usage sessions, unverified external hours"

SQL = """
-- Whether the user's membership of user_institution_id was verified when the session was
-- recorded. Sessions recorded before verification existed count as verified (their accounts
-- were carried over as verified members); new sessions always state it.
ALTER TABLE usage_session ADD COLUMN affiliation_verified boolean NOT NULL DEFAULT true;

-- Hours used by accounts whose affiliation was not verified: effective hours, but neither
-- internal nor external in the national ratio. Appended last, so the figure is the last
-- element of usage_month_run.run as well (rows written before have no such element: 0).
ALTER TABLE usage_daily ADD COLUMN unverified_external_s integer NOT NULL DEFAULT 0
    CHECK (unverified_external_s >= 0);
ALTER TABLE usage_period ADD COLUMN unverified_external_s bigint NOT NULL DEFAULT 0;
"""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="service", description=DESCRIPTION)

    async def run() -> None:
        await run_sql(SQL)

    manager.add_raw(run)
    return manager
