"""Scheduler: a record of every job run, and the outbox's claim bookkeeping."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from service.migrate import run_sql

ID = "2026-11-26T15:25:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "scheduler: job runs, outbox claims, reminder lookup"

SQL = """
-- One row per job and tick. Several schedulers firing for the same tick race on the unique key:
-- the first insert runs the job, the others see the conflict and stand down.
CREATE TABLE job_run (
    id bigserial PRIMARY KEY,
    job text NOT NULL CHECK (length(job) BETWEEN 1 AND 100),
    tick timestamptz NOT NULL,
    started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    finished_at timestamptz,
    outcome text NOT NULL DEFAULT 'running' CHECK (outcome IN ('running', 'ok', 'failed')),
    counts jsonb NOT NULL DEFAULT '{}',
    error text NOT NULL DEFAULT '',
    host text NOT NULL DEFAULT '',
    pid integer,
    CONSTRAINT job_run_tick_uq UNIQUE (job, tick)
);
CREATE INDEX job_run_started_idx ON job_run (job, started_at DESC);
CREATE INDEX job_run_ok_idx ON job_run (job, started_at DESC) WHERE outcome = 'ok';

-- Who holds a claimed row, for the admin view; the lease itself is next_attempt_at.
ALTER TABLE notification_outbox ADD COLUMN claimed_by text NOT NULL DEFAULT '';
CREATE INDEX notification_outbox_state_idx ON notification_outbox (state, id);

-- queue_reminders looks for active bookings starting soon.
CREATE INDEX booking_active_start_idx ON booking (starts_at)
    WHERE kind = 'booking' AND status IN ('pending', 'confirmed');
"""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="service", description=DESCRIPTION)

    async def run() -> None:
        await run_sql(SQL)

    manager.add_raw(run)
    return manager
