"""Late changes reach the figures: every write that changes a rolled-up figure marks the
instrument-days it touches as dirty, in its own transaction; the roll-up recomputes them."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from service.migrate import run_sql

ID = "2026-12-03T12:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "metrics: dirty instrument-days marked by triggers, roll-up freshness"

SQL = """
-- An instrument's local day whose stored figures may be out of date. `marks` counts the writes
-- that marked it: a roll-up remembers the count it saw when it started and deletes the row at
-- the end only if the count is unchanged, so a write that lands meanwhile keeps its day dirty.
-- `claimed_until`/`claimed_by` are the lease of the scheduler recomputing it (as in the outbox).
CREATE TABLE metrics_dirty_day (
    instrument_id bigint NOT NULL REFERENCES instrument(id) ON DELETE CASCADE,
    day date NOT NULL,
    marks integer NOT NULL DEFAULT 1,
    first_marked_at timestamptz NOT NULL DEFAULT now(),
    claimed_until timestamptz,
    claimed_by text NOT NULL DEFAULT '',
    PRIMARY KEY (instrument_id, day)
);
CREATE INDEX metrics_dirty_day_day_idx ON metrics_dirty_day (day, instrument_id);

-- How fresh the figures are: `as_of` is the instant the last roll-up of the recent days ran
-- for (figures are complete up to it, but for the dirty days), `last_rollup_at` when any
-- roll-up last finished.
CREATE TABLE metrics_freshness (
    id boolean PRIMARY KEY DEFAULT true CHECK (id),
    as_of timestamptz,
    last_rollup_at timestamptz
);
INSERT INTO metrics_freshness DEFAULT VALUES;

-- Legal-entity groups (a choice the national rules leave open): an institution that belongs to
-- another one's legal entity (an affiliated hospital of a university, say) names it here; use
-- between the two then counts as internal in the figures. NULL: a legal entity of its own.
ALTER TABLE institution ADD COLUMN legal_entity_id bigint REFERENCES institution(id)
    ON DELETE SET NULL CHECK (legal_entity_id <> id);

-- The local days of the instrument between two instants, up to today in its zone (a day that
-- has not begun has no figures yet; the roll-up of recent days reaches it when it comes).
CREATE FUNCTION metrics_mark_days(p_instrument bigint, p_from timestamptz, p_to timestamptz)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    tz text;
    lo date;
    hi date;
    n integer;
BEGIN
    SELECT r.timezone INTO tz
    FROM instrument i JOIN institution o ON o.id = i.institution_id
    JOIN region r ON r.code = o.region_code WHERE i.id = p_instrument;
    IF tz IS NULL OR p_from IS NULL THEN
        RETURN 0;
    END IF;
    lo := (p_from AT TIME ZONE tz)::date;
    hi := least((coalesce(p_to, now()) AT TIME ZONE tz)::date, (now() AT TIME ZONE tz)::date);
    IF hi < lo THEN
        RETURN 0;
    END IF;
    INSERT INTO metrics_dirty_day AS d (instrument_id, day)
    SELECT p_instrument, g::date FROM generate_series(lo::timestamp, hi::timestamp, '1 day') g
    ON CONFLICT (instrument_id, day) DO UPDATE SET marks = d.marks + 1;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$;

-- The days of many sessions at once (a membership or a legal-entity change re-attributes them).
CREATE FUNCTION metrics_mark_sessions(p_sessions bigint[]) RETURNS integer
LANGUAGE sql AS $$
    WITH marked AS (
        INSERT INTO metrics_dirty_day AS d (instrument_id, day)
        SELECT DISTINCT s.instrument_id, g::date
        FROM usage_session s
        JOIN instrument i ON i.id = s.instrument_id
        JOIN institution o ON o.id = i.institution_id
        JOIN region r ON r.code = o.region_code
        CROSS JOIN LATERAL generate_series(
            (s.started_at AT TIME ZONE r.timezone)::date::timestamp,
            least((coalesce(s.ended_at, now()) AT TIME ZONE r.timezone)::date,
                  (now() AT TIME ZONE r.timezone)::date)::timestamp,
            '1 day') g
        WHERE s.id = ANY(p_sessions)
        ON CONFLICT (instrument_id, day) DO UPDATE SET marks = d.marks + 1
        RETURNING 1)
    SELECT count(*)::integer FROM marked
$$;

-- Every day with figures or sessions of one instrument: its owner's zone splits them all.
CREATE FUNCTION metrics_mark_instrument_history(p_instrument bigint) RETURNS integer
LANGUAGE sql AS $$
    WITH today AS (
        SELECT (now() AT TIME ZONE r.timezone)::date AS day
        FROM instrument i JOIN institution o ON o.id = i.institution_id
        JOIN region r ON r.code = o.region_code WHERE i.id = p_instrument
    ), days AS (
        SELECT day FROM usage_daily WHERE instrument_id = p_instrument
        UNION
        SELECT day FROM metrics_dirty_day WHERE instrument_id = p_instrument
    ), marked AS (
        INSERT INTO metrics_dirty_day AS d (instrument_id, day)
        SELECT p_instrument, days.day FROM days, today WHERE days.day <= today.day
        ON CONFLICT (instrument_id, day) DO UPDATE SET marks = d.marks + 1
        RETURNING 1)
    SELECT count(*)::integer + metrics_mark_sessions(
        ARRAY(SELECT id FROM usage_session WHERE instrument_id = p_instrument))
    FROM marked
$$;

CREATE FUNCTION metrics_session_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM metrics_mark_days(OLD.instrument_id, OLD.started_at, OLD.ended_at);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM metrics_mark_days(NEW.instrument_id, NEW.started_at, NEW.ended_at);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER usage_session_marks_days
    AFTER INSERT OR UPDATE OR DELETE ON usage_session
    FOR EACH ROW EXECUTE FUNCTION metrics_session_changed();

-- Bookings and maintenance blocks: booked time, counts (no-shows, cancellations) and available
-- time. A booking that starts more than a day ahead touches no day that has begun, so the
-- booking path pays only the WHEN test.
CREATE FUNCTION metrics_booking_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM metrics_mark_days(OLD.instrument_id, OLD.starts_at, OLD.occupied_until);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM metrics_mark_days(NEW.instrument_id, NEW.starts_at, NEW.occupied_until);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER booking_insert_marks_days AFTER INSERT ON booking
    FOR EACH ROW WHEN (NEW.starts_at < now() + interval '1 day')
    EXECUTE FUNCTION metrics_booking_changed();
CREATE TRIGGER booking_update_marks_days AFTER UPDATE ON booking
    FOR EACH ROW WHEN (
        (OLD.status, OLD.kind, OLD.instrument_id, OLD.starts_at, OLD.ends_at, OLD.occupied_until,
         OLD.late_cancellation)
        IS DISTINCT FROM
        (NEW.status, NEW.kind, NEW.instrument_id, NEW.starts_at, NEW.ends_at, NEW.occupied_until,
         NEW.late_cancellation)
        AND least(OLD.starts_at, NEW.starts_at) < now() + interval '1 day')
    EXECUTE FUNCTION metrics_booking_changed();
CREATE TRIGGER booking_delete_marks_days AFTER DELETE ON booking
    FOR EACH ROW WHEN (OLD.starts_at < now() + interval '1 day')
    EXECUTE FUNCTION metrics_booking_changed();

-- An instrument's owner decides the zone its days are cut in and which users are external;
-- retirement ends its available time. Category, status, value and share mode are read from the
-- instrument when figures are asked for, so they need no recomputation.
CREATE FUNCTION metrics_instrument_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.institution_id IS DISTINCT FROM OLD.institution_id THEN
        PERFORM metrics_mark_instrument_history(NEW.id);
    ELSIF NEW.retired_at IS DISTINCT FROM OLD.retired_at THEN
        PERFORM metrics_mark_days(
            NEW.id,
            least(coalesce(OLD.retired_at, 'infinity'), coalesce(NEW.retired_at, 'infinity')),
            now());
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER instrument_marks_days AFTER UPDATE OF institution_id, retired_at ON instrument
    FOR EACH ROW EXECUTE FUNCTION metrics_instrument_changed();

-- An institution moving region (zone, cross-region use) or legal entity (external use).
CREATE FUNCTION metrics_institution_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.region_code IS DISTINCT FROM OLD.region_code THEN
        PERFORM metrics_mark_instrument_history(i.id) FROM instrument i
        WHERE i.institution_id = NEW.id;
    END IF;
    PERFORM metrics_mark_sessions(ARRAY(
        SELECT s.id FROM usage_session s WHERE s.user_institution_id = NEW.id
        UNION
        SELECT s.id FROM usage_session s JOIN instrument i ON i.id = s.instrument_id
        WHERE i.institution_id = NEW.id));
    RETURN NULL;
END $$;
CREATE TRIGGER institution_marks_days AFTER UPDATE OF region_code, legal_entity_id ON institution
    FOR EACH ROW WHEN (
        (OLD.region_code, OLD.legal_entity_id) IS DISTINCT FROM (NEW.region_code, NEW.legal_entity_id))
    EXECUTE FUNCTION metrics_institution_changed();
"""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="service", description=DESCRIPTION)

    async def run() -> None:
        await run_sql(SQL)

    manager.add_raw(run)
    return manager
