"""Metrics: per-instrument roll-ups by local day, month and year; flows; satisfaction ratings."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from service.migrate import run_sql

ID = "2026-11-26T15:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "metrics: usage roll-ups, flows, satisfaction"

SQL = """
-- One row per instrument and local day (the instrument's zone). Durations are whole seconds so
-- that sums over days, months and years are exact; the API converts to hours.
CREATE TABLE usage_daily (
    instrument_id bigint NOT NULL REFERENCES instrument(id) ON DELETE CASCADE,
    day date NOT NULL,
    effective_s integer NOT NULL DEFAULT 0 CHECK (effective_s >= 0),
    external_s integer NOT NULL DEFAULT 0 CHECK (external_s >= 0),
    cross_region_s integer NOT NULL DEFAULT 0 CHECK (cross_region_s >= 0),
    internal_s integer NOT NULL DEFAULT 0 CHECK (internal_s >= 0),
    booked_s integer NOT NULL DEFAULT 0 CHECK (booked_s >= 0),
    available_s integer NOT NULL DEFAULT 0 CHECK (available_s >= 0),
    sessions integer NOT NULL DEFAULT 0,
    bookings integer NOT NULL DEFAULT 0,
    cancellations integer NOT NULL DEFAULT 0,
    late_cancellations integer NOT NULL DEFAULT 0,
    no_shows integer NOT NULL DEFAULT 0,
    PRIMARY KEY (instrument_id, day)
);
CREATE INDEX usage_daily_day_idx ON usage_daily (day);

-- The same figures summed over local calendar months and years (period_start = first day), so a
-- year of 10,000 instruments is read from 10,000 rows instead of 3.6 million.
CREATE TABLE usage_period (
    grain text NOT NULL CHECK (grain IN ('month', 'year')),
    period_start date NOT NULL,
    instrument_id bigint NOT NULL REFERENCES instrument(id) ON DELETE CASCADE,
    effective_s bigint NOT NULL DEFAULT 0,
    external_s bigint NOT NULL DEFAULT 0,
    cross_region_s bigint NOT NULL DEFAULT 0,
    internal_s bigint NOT NULL DEFAULT 0,
    booked_s bigint NOT NULL DEFAULT 0,
    available_s bigint NOT NULL DEFAULT 0,
    sessions integer NOT NULL DEFAULT 0,
    bookings integer NOT NULL DEFAULT 0,
    cancellations integer NOT NULL DEFAULT 0,
    late_cancellations integer NOT NULL DEFAULT 0,
    no_shows integer NOT NULL DEFAULT 0,
    PRIMARY KEY (grain, period_start, instrument_id)
);
CREATE INDEX usage_period_instrument_idx ON usage_period (instrument_id, grain, period_start);

-- Used seconds by user institution and region: the flow matrix and the distinct external
-- institutions. Same grains as above.
CREATE TABLE flow_daily (
    instrument_id bigint NOT NULL REFERENCES instrument(id) ON DELETE CASCADE,
    day date NOT NULL,
    user_institution_id bigint NOT NULL,
    user_region_code text NOT NULL,
    is_external boolean NOT NULL,
    seconds integer NOT NULL,
    PRIMARY KEY (instrument_id, day, user_institution_id, user_region_code, is_external)
);
CREATE INDEX flow_daily_day_idx ON flow_daily (day);

CREATE TABLE flow_period (
    grain text NOT NULL CHECK (grain IN ('month', 'year')),
    period_start date NOT NULL,
    instrument_id bigint NOT NULL REFERENCES instrument(id) ON DELETE CASCADE,
    user_institution_id bigint NOT NULL,
    user_region_code text NOT NULL,
    is_external boolean NOT NULL,
    seconds bigint NOT NULL,
    PRIMARY KEY (grain, period_start, instrument_id, user_institution_id, user_region_code, is_external)
);

-- The national five-level satisfaction scale, one rating per booking. instrument_id and the
-- booking's local start day are copied so that metrics aggregate ratings without joins.
CREATE TABLE satisfaction (
    booking_id bigint PRIMARY KEY REFERENCES booking(id) ON DELETE CASCADE,
    user_id bigint NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
    instrument_id bigint NOT NULL REFERENCES instrument(id) ON DELETE CASCADE,
    day date NOT NULL,
    rating smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment text NOT NULL DEFAULT '' CHECK (length(comment) <= 1000),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX satisfaction_day_idx ON satisfaction (day, instrument_id);

-- The roll-up of recent days looks for sessions, bookings and blocks that ended recently;
-- "my usage" lists a user's sessions.
CREATE INDEX usage_session_ended_idx ON usage_session (ended_at);
CREATE INDEX booking_ends_idx ON booking (ends_at);
CREATE INDEX usage_session_user_idx ON usage_session (user_id, started_at);
"""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="service", description=DESCRIPTION)

    async def run() -> None:
        await run_sql(SQL)

    manager.add_raw(run)
    return manager
