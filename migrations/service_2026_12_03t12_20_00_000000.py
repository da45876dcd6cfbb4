"""Evaluators: third-party evaluation agencies with read-only access to assigned institutions."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from service.migrate import run_sql

ID = "2026-12-03T12:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "evaluators: read-only assignments to institutions"

SQL = """
-- A user who evaluates an institution sees its figures, records and exports and changes
-- nothing; every read is written to the audit log. Granted by platform admins.
CREATE TABLE evaluator_assignment (
    user_id bigint NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
    institution_id bigint NOT NULL REFERENCES institution(id) ON DELETE CASCADE,
    granted_by bigint REFERENCES app_user(id) ON DELETE SET NULL,
    granted_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, institution_id)
);
CREATE INDEX evaluator_assignment_institution_idx ON evaluator_assignment (institution_id);
"""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="service", description=DESCRIPTION)

    async def run() -> None:
        await run_sql(SQL)

    manager.add_raw(run)
    return manager
