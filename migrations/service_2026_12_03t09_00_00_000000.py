"""Outbox: notices carry a snapshot of their booking; expiry, a retry horizon and a shared
circuit breaker for mail outages."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from service.migrate import run_sql

ID = "2026-12-03T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "outbox snapshots, expiry, retry horizon, mail circuit breaker"

SQL = """
-- Notices are now rendered from what they were written about (payload->'booking'), not from
-- the live booking row. Pending notices written before this get a snapshot of their booking
-- now, at the version their dedupe key names (so a notice about an older version expires
-- instead of describing the newer one).
UPDATE notification_outbox o
SET payload = o.payload || jsonb_build_object('booking', jsonb_build_object(
    'id', b.id, 'kind', b.kind, 'status', b.status,
    'version', coalesce(substring(o.dedupe_key from ':v([0-9]+)')::int, b.version),
    'start', b.starts_at, 'end', b.ends_at,
    'created_at', b.created_at, 'updated_at', b.updated_at,
    'purpose', b.purpose, 'service_way', b.service_way,
    'instrument_id', i.id, 'instrument_zh', i.name_zh, 'instrument_en', i.name_en,
    'building', i.building, 'room', i.room,
    'institution_zh', n.name_zh, 'institution_en', n.name_en, 'timezone', r.timezone,
    'booker_name', u.display_name, 'booker_email', u.email,
    'organizer_email', i.contact_email, 'organizer_name', i.contact_name))
FROM booking b
JOIN instrument i ON i.id = b.instrument_id
JOIN institution n ON n.id = i.institution_id
JOIN region r ON r.code = n.region_code
JOIN app_user u ON u.id = b.user_id
WHERE o.booking_id = b.id AND o.state = 'pending' AND NOT o.payload ? 'booking';

-- 'expired': the notice no longer makes sense (its booking started, changed again, or is
-- gone); expired_reason says which. failing_since starts the retry horizon at the first failed
-- attempt; retried_at records an administrator's retry of a dead notice (a new horizon).
ALTER TABLE notification_outbox DROP CONSTRAINT notification_outbox_state_check;
ALTER TABLE notification_outbox
    ADD CONSTRAINT notification_outbox_state_check
        CHECK (state IN ('pending', 'sent', 'dead', 'skipped', 'expired')),
    ADD COLUMN expired_reason text
        CHECK (expired_reason IN ('booking_started', 'booking_changed', 'booking_gone')),
    ADD COLUMN failing_since timestamptz,
    ADD COLUMN retried_at timestamptz,
    ADD CONSTRAINT notification_outbox_expired_reason_ck
        CHECK ((state = 'expired') = (expired_reason IS NOT NULL));
-- The age of the oldest undelivered notice (a Prometheus gauge, the readiness details).
CREATE INDEX notification_outbox_pending_due_idx ON notification_outbox (due_at)
    WHERE state = 'pending';
-- The dead letters an administrator filters and retries.
CREATE INDEX notification_outbox_dead_idx ON notification_outbox (created_at)
    WHERE state = 'dead';

-- One row shared by every scheduler process: while the mail server is unreachable the whole
-- queue waits ('open') instead of each notice failing; one process at a time probes the
-- server when probe_at comes (it claims the probe by moving probe_at), and the first success
-- closes the circuit. The transitions are conditional updates, so exactly one process sees
-- (and logs) each start and end of an outage.
CREATE TABLE mail_circuit (
    id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    state text NOT NULL DEFAULT 'closed' CHECK (state IN ('closed', 'open')),
    opened_at timestamptz,
    probe_at timestamptz,
    failed_probes integer NOT NULL DEFAULT 0,
    last_error text NOT NULL DEFAULT '',
    closed_at timestamptz,
    CONSTRAINT mail_circuit_open_ck
        CHECK ((state = 'open') = (opened_at IS NOT NULL AND probe_at IS NOT NULL))
);
INSERT INTO mail_circuit DEFAULT VALUES;
"""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="service", description=DESCRIPTION)

    async def run() -> None:
        await run_sql(SQL)

    manager.add_raw(run)
    return manager
