"""Booking engine: policies, opening hours, closures, bookings and blocks, usage, outbox."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from service.migrate import run_sql

ID = "2026-11-26T14:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "booking engine: policies, calendars, bookings, usage sessions, outbox"

SQL = """
-- One row per instrument (instrument_id set) or one institution-wide default (institution_id set).
CREATE TABLE booking_policy (
    id bigserial PRIMARY KEY,
    instrument_id bigint UNIQUE REFERENCES instrument(id) ON DELETE CASCADE,
    institution_id bigint UNIQUE REFERENCES institution(id) ON DELETE CASCADE,
    min_minutes integer NOT NULL DEFAULT 30 CHECK (min_minutes > 0),
    max_minutes integer NOT NULL DEFAULT 480 CHECK (max_minutes >= min_minutes AND max_minutes <= 10080),
    granularity_minutes integer NOT NULL DEFAULT 30 CHECK (granularity_minutes BETWEEN 1 AND 1440),
    min_notice_minutes integer NOT NULL DEFAULT 60 CHECK (min_notice_minutes >= 0),
    horizon_days integer NOT NULL DEFAULT 90 CHECK (horizon_days BETWEEN 1 AND 730),
    buffer_minutes integer NOT NULL DEFAULT 0 CHECK (buffer_minutes BETWEEN 0 AND 1440),
    approval text NOT NULL DEFAULT 'external' CHECK (approval IN ('none', 'external', 'all')),
    approval_deadline_hours integer NOT NULL DEFAULT 48 CHECK (approval_deadline_hours BETWEEN 1 AND 720),
    max_hours_per_day numeric(6, 2) CHECK (max_hours_per_day > 0),
    max_hours_per_week numeric(6, 2) CHECK (max_hours_per_week > 0),
    max_future_bookings integer CHECK (max_future_bookings > 0),
    late_cancel_hours integer NOT NULL DEFAULT 24 CHECK (late_cancel_hours >= 0),
    service_ways text[] NOT NULL DEFAULT '{occupy,technical,entrusted,remote}'
        CHECK (service_ways <@ '{occupy,technical,entrusted,remote}'::text[] AND cardinality(service_ways) > 0),
    fee_internal numeric(10, 2) NOT NULL DEFAULT 0 CHECK (fee_internal >= 0),
    fee_external_academic numeric(10, 2) NOT NULL DEFAULT 0 CHECK (fee_external_academic >= 0),
    fee_enterprise numeric(10, 2) NOT NULL DEFAULT 0 CHECK (fee_enterprise >= 0),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((instrument_id IS NULL) <> (institution_id IS NULL))
);

-- Weekly opening intervals in the instrument's local time; ISO weekday 1 = Monday.
CREATE TABLE opening_hours (
    id bigserial PRIMARY KEY,
    instrument_id bigint NOT NULL REFERENCES instrument(id) ON DELETE CASCADE,
    weekday smallint NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    opens time NOT NULL,
    closes time NOT NULL,
    CHECK (opens < closes)
);
CREATE INDEX opening_hours_instrument_idx ON opening_hours (instrument_id, weekday);

-- A local date on which the weekly hours do not apply: closed all day (opens/closes NULL), or
-- open with other hours (an exception).
CREATE TABLE calendar_exception (
    id bigserial PRIMARY KEY,
    instrument_id bigint NOT NULL REFERENCES instrument(id) ON DELETE CASCADE,
    day date NOT NULL,
    opens time,
    closes time,
    reason text NOT NULL DEFAULT '',
    CHECK ((opens IS NULL) = (closes IS NULL) AND (opens IS NULL OR opens < closes))
);
CREATE INDEX calendar_exception_idx ON calendar_exception (instrument_id, day);

CREATE TABLE booking_series (
    id bigserial PRIMARY KEY,
    instrument_id bigint NOT NULL REFERENCES instrument(id) ON DELETE RESTRICT,
    user_id bigint NOT NULL REFERENCES app_user(id) ON DELETE RESTRICT,
    rrule text NOT NULL,
    mode text NOT NULL CHECK (mode IN ('all_or_nothing', 'skip_conflicts')),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Bookings and maintenance blocks share one table so that one exclusion constraint keeps them
-- apart. occupied_until = ends_at + buffer: buffers are occupied time.
CREATE TABLE booking (
    id bigserial PRIMARY KEY,
    kind text NOT NULL DEFAULT 'booking' CHECK (kind IN ('booking', 'maintenance')),
    instrument_id bigint NOT NULL REFERENCES instrument(id) ON DELETE RESTRICT,
    user_id bigint NOT NULL REFERENCES app_user(id) ON DELETE RESTRICT,
    series_id bigint REFERENCES booking_series(id) ON DELETE RESTRICT,
    starts_at timestamptz NOT NULL,
    ends_at timestamptz NOT NULL,
    occupied_until timestamptz NOT NULL,
    status text NOT NULL CHECK (status IN ('held', 'pending', 'confirmed', 'in_use', 'completed', 'cancelled', 'rejected', 'expired', 'no_show')),
    purpose text NOT NULL DEFAULT '' CHECK (length(purpose) <= 2000),
    service_way text NOT NULL DEFAULT 'occupy' CHECK (service_way IN ('occupy', 'technical', 'entrusted', 'remote')),
    booker_institution_id bigint NOT NULL REFERENCES institution(id) ON DELETE RESTRICT,
    booker_region_code text NOT NULL REFERENCES region(code) ON DELETE RESTRICT,
    is_external boolean NOT NULL DEFAULT false,
    is_cross_region boolean NOT NULL DEFAULT false,
    fee_class text NOT NULL DEFAULT 'internal' CHECK (fee_class IN ('internal', 'external_academic', 'enterprise')),
    fee_per_hour numeric(10, 2) NOT NULL DEFAULT 0,
    estimated_cost numeric(12, 2) NOT NULL DEFAULT 0,
    approval_deadline timestamptz,
    late_cancellation boolean NOT NULL DEFAULT false,
    version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (starts_at < ends_at),
    CHECK (occupied_until >= ends_at),
    CHECK (kind = 'booking' OR status IN ('confirmed', 'cancelled', 'completed')),
    CONSTRAINT booking_no_overlap EXCLUDE USING gist (
        int8range(instrument_id, instrument_id, '[]') WITH &&,
        tstzrange(starts_at, occupied_until, '[)') WITH &&
    ) WHERE (status IN ('held', 'pending', 'confirmed', 'in_use'))
);
CREATE INDEX booking_user_idx ON booking (user_id, starts_at);
CREATE INDEX booking_instrument_time_idx ON booking (instrument_id, starts_at);
CREATE INDEX booking_pending_deadline_idx ON booking (approval_deadline) WHERE status = 'pending';
CREATE INDEX booking_updated_idx ON booking (updated_at);

-- The history of every booking: who changed what, when and why.
CREATE TABLE booking_event (
    id bigserial PRIMARY KEY,
    booking_id bigint NOT NULL REFERENCES booking(id) ON DELETE CASCADE,
    at timestamptz NOT NULL DEFAULT now(),
    actor_user_id bigint REFERENCES app_user(id) ON DELETE SET NULL,
    action text NOT NULL,
    from_status text,
    to_status text,
    reason text NOT NULL DEFAULT '',
    data jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX booking_event_booking_idx ON booking_event (booking_id, at);

CREATE TABLE idempotency_key (
    user_id bigint NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
    key text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
    request_hash bytea NOT NULL,
    response_status integer,
    response_body jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_key_expiry_idx ON idempotency_key (expires_at);

-- What really happened on an instrument: the raw material of the metrics.
CREATE TABLE usage_session (
    id bigserial PRIMARY KEY,
    instrument_id bigint NOT NULL REFERENCES instrument(id) ON DELETE RESTRICT,
    booking_id bigint UNIQUE REFERENCES booking(id) ON DELETE RESTRICT,
    user_id bigint REFERENCES app_user(id) ON DELETE RESTRICT,
    user_institution_id bigint NOT NULL REFERENCES institution(id) ON DELETE RESTRICT,
    user_region_code text NOT NULL REFERENCES region(code) ON DELETE RESTRICT,
    is_external boolean NOT NULL,
    is_cross_region boolean NOT NULL,
    started_at timestamptz NOT NULL,
    ended_at timestamptz,
    service_way text NOT NULL DEFAULT 'occupy' CHECK (service_way IN ('occupy', 'technical', 'entrusted', 'remote')),
    samples integer NOT NULL DEFAULT 0 CHECK (samples >= 0),
    amount numeric(12, 2) NOT NULL DEFAULT 0 CHECK (amount >= 0),
    note text NOT NULL DEFAULT '',
    recorded_by bigint REFERENCES app_user(id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (ended_at IS NULL OR ended_at > started_at)
);
CREATE INDEX usage_session_instrument_idx ON usage_session (instrument_id, started_at);
CREATE INDEX usage_session_started_idx ON usage_session (started_at);

-- Transactional outbox: a row per message a user must get, written with the change itself.
CREATE TABLE notification_outbox (
    id bigserial PRIMARY KEY,
    dedupe_key text NOT NULL UNIQUE,
    kind text NOT NULL,
    user_id bigint NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
    booking_id bigint REFERENCES booking(id) ON DELETE CASCADE,
    payload jsonb NOT NULL DEFAULT '{}',
    state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'dead', 'skipped')),
    due_at timestamptz NOT NULL DEFAULT now(),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    attempts integer NOT NULL DEFAULT 0,
    last_error text NOT NULL DEFAULT '',
    skip_reason text NOT NULL DEFAULT '',
    message_id text,
    sent_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notification_outbox_due_idx ON notification_outbox (next_attempt_at) WHERE state = 'pending';
CREATE INDEX notification_outbox_booking_idx ON notification_outbox (booking_id);
"""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="service", description=DESCRIPTION)

    async def run() -> None:
        await run_sql(SQL)

    manager.add_raw(run)
    return manager
