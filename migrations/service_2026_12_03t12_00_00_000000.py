"""Usage that adds up: sessions of one instrument never overlap, sessions only on bookings that
happened, and a history of every correction and deletion of a session."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from service.migrate import run_sql

ID = "2026-12-03T12:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "usage sessions: no overlap, booking states, correction history"

SQL = """
-- Every correction and deletion of a usage session, with who, when, why, and the row before
-- and after (NULL after a deletion). No foreign key to the session: the history of a deleted
-- session stays.
CREATE TABLE usage_session_revision (
    id bigserial PRIMARY KEY,
    session_id bigint NOT NULL,
    instrument_id bigint NOT NULL REFERENCES instrument(id) ON DELETE RESTRICT,
    action text NOT NULL CHECK (action IN ('corrected', 'deleted', 'trimmed')),
    actor_user_id bigint REFERENCES app_user(id) ON DELETE SET NULL,
    at timestamptz NOT NULL DEFAULT now(),
    reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 1000),
    before jsonb NOT NULL,
    after jsonb
);
CREATE INDEX usage_session_revision_session_idx ON usage_session_revision (session_id, at);
CREATE INDEX usage_session_revision_instrument_idx ON usage_session_revision (instrument_id, at);

-- Sessions recorded before this rule may overlap. Per instrument, in start order: an open
-- session overlapped by a later one is closed where the later one starts (or removed when both
-- start together); a session inside an earlier one is removed; one reaching past an earlier one
-- starts where that one ends. Each change is written to the history above.
DO $$
DECLARE
    inst bigint;
    s usage_session;
    prev usage_session;
    why constant text := 'overlapped an earlier session of the instrument (data cleaned when '
                         'the no-overlap rule was introduced)';
BEGIN
    FOR inst IN
        SELECT DISTINCT instrument_id FROM (
            SELECT instrument_id, started_at,
                   max(coalesce(ended_at, 'infinity')) OVER (
                       PARTITION BY instrument_id ORDER BY started_at, id
                       ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS earlier_end
            FROM usage_session) x
        WHERE started_at < earlier_end
    LOOP
        prev := NULL;
        FOR s IN SELECT * FROM usage_session WHERE instrument_id = inst ORDER BY started_at, id
        LOOP
            IF prev.id IS NULL OR s.started_at >= coalesce(prev.ended_at, 'infinity') THEN
                prev := s;
            ELSIF prev.ended_at IS NULL AND s.started_at > prev.started_at THEN
                UPDATE usage_session SET ended_at = s.started_at WHERE id = prev.id;
                INSERT INTO usage_session_revision (session_id, instrument_id, action, reason,
                                                    before, after)
                SELECT prev.id, inst, 'trimmed', why, to_jsonb(prev), to_jsonb(u)
                FROM usage_session u WHERE u.id = prev.id;
                prev := s;
            ELSIF prev.ended_at IS NULL THEN
                DELETE FROM usage_session WHERE id = prev.id;
                INSERT INTO usage_session_revision (session_id, instrument_id, action, reason,
                                                    before)
                VALUES (prev.id, inst, 'deleted', why, to_jsonb(prev));
                prev := s;
            ELSIF coalesce(s.ended_at, 'infinity') <= prev.ended_at THEN
                DELETE FROM usage_session WHERE id = s.id;
                INSERT INTO usage_session_revision (session_id, instrument_id, action, reason,
                                                    before)
                VALUES (s.id, inst, 'deleted', why, to_jsonb(s));
            ELSE
                UPDATE usage_session SET started_at = prev.ended_at WHERE id = s.id;
                INSERT INTO usage_session_revision (session_id, instrument_id, action, reason,
                                                    before, after)
                SELECT s.id, inst, 'trimmed', why, to_jsonb(s), to_jsonb(u)
                FROM usage_session u WHERE u.id = s.id;
                s.started_at := prev.ended_at;
                prev := s;
            END IF;
        END LOOP;
    END LOOP;
END $$;

-- Two sessions of one instrument never overlap, like bookings. A session still open (checked
-- in, not yet out) holds the instrument from its start on.
ALTER TABLE usage_session ADD CONSTRAINT usage_session_no_overlap EXCLUDE USING gist (
    int8range(instrument_id, instrument_id, '[]') WITH &&,
    tstzrange(started_at, coalesce(ended_at, 'infinity'), '[)') WITH &&
);

-- A slot never counts as both used and missed: bookings that were used but are marked
-- cancelled or no-show (possible before this rule) become completed, with a history row.
WITH used AS (
    SELECT b.id, b.status FROM booking b JOIN usage_session s ON s.booking_id = b.id
    WHERE b.status IN ('cancelled', 'no_show', 'rejected', 'expired')
), fixed AS (
    UPDATE booking b SET status = 'completed', version = b.version + 1, updated_at = now()
    FROM used WHERE used.id = b.id
    RETURNING b.id
)
INSERT INTO booking_event (booking_id, action, from_status, to_status, reason)
SELECT used.id, 'usage_reconciled', used.status, 'completed',
       'a usage session was recorded for this booking'
FROM used JOIN fixed ON fixed.id = used.id;

-- The same rule from now on, in the database: a session belongs to a booking that happened
-- (confirmed, in use or completed), and a booking with a session cannot become cancelled,
-- rejected, expired or a no-show. The services check first and answer 409; these are the
-- backstop against any other writer.
CREATE FUNCTION usage_session_booking_state() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    state text;
BEGIN
    IF NEW.booking_id IS NULL THEN
        RETURN NEW;
    END IF;
    SELECT status INTO state FROM booking WHERE id = NEW.booking_id AND kind = 'booking';
    IF state IS NULL OR state NOT IN ('confirmed', 'in_use', 'completed') THEN
        RAISE EXCEPTION 'a usage session needs a booking that happened, not one that is %',
            coalesce(state, 'missing')
            USING ERRCODE = 'check_violation', CONSTRAINT = 'usage_session_booking_state';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER usage_session_booking_state_trg
    BEFORE INSERT OR UPDATE OF booking_id ON usage_session
    FOR EACH ROW EXECUTE FUNCTION usage_session_booking_state();

CREATE FUNCTION booking_used_state() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM usage_session WHERE booking_id = NEW.id) THEN
        RAISE EXCEPTION 'booking % has a usage session and cannot become %', NEW.id, NEW.status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'booking_used_state';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER booking_used_state_trg
    BEFORE UPDATE OF status ON booking
    FOR EACH ROW WHEN (NEW.status IN ('cancelled', 'rejected', 'expired', 'no_show')
                       AND OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION booking_used_state();
"""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="service", description=DESCRIPTION)

    async def run() -> None:
        await run_sql(SQL)

    manager.add_raw(run)
    return manager
