"""Audit log: one append-only table of security- and evaluation-relevant events."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from service.migrate import run_sql

ID = "2026-12-03T08:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "audit log of security and evaluation events"

SQL = """
-- Append-only: rows are written in the transaction of the event they describe (so an event is
-- logged if and only if it happened) and never updated. `institution_id` is the institution the
-- event concerns (the subject's, or the one read), so institution admins can be shown the events
-- of their own people and nothing else.
CREATE TABLE audit_event (
    id bigserial PRIMARY KEY,
    occurred_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    action text NOT NULL CHECK (action ~ '^[a-z][a-z0-9_.]{1,63}$'),
    actor_user_id bigint REFERENCES app_user(id) ON DELETE SET NULL,
    subject_user_id bigint REFERENCES app_user(id) ON DELETE SET NULL,
    institution_id bigint REFERENCES institution(id) ON DELETE SET NULL,
    client_address text NOT NULL DEFAULT '' CHECK (length(client_address) <= 64),
    detail jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_event_time_idx ON audit_event (occurred_at DESC, id DESC);
CREATE INDEX audit_event_institution_idx ON audit_event (institution_id, occurred_at DESC)
    WHERE institution_id IS NOT NULL;
CREATE INDEX audit_event_subject_idx ON audit_event (subject_user_id, occurred_at DESC)
    WHERE subject_user_id IS NOT NULL;
CREATE INDEX audit_event_actor_idx ON audit_event (actor_user_id, occurred_at DESC)
    WHERE actor_user_id IS NOT NULL;
"""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="service", description=DESCRIPTION)

    async def run() -> None:
        await run_sql(SQL)

    manager.add_raw(run)
    return manager
