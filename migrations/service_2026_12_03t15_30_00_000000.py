"""Shared calendars: instruments that are one physical resource (one microscope booked as two
configurations) hold one calendar, and the exclusion constraint keys on it."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from service.migrate import run_sql

ID = "2026-12-03T15:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "shared calendars: booking_no_overlap keys on the calendar, set by the database"

SQL = """
-- The calendar an instrument is booked on: NULL, its own; otherwise the smallest id of the
-- instruments sharing one resource (each of them, that one included, carries it).
ALTER TABLE instrument ADD COLUMN calendar_key bigint REFERENCES instrument(id) ON DELETE RESTRICT;
CREATE INDEX instrument_calendar_key_idx ON instrument (calendar_key) WHERE calendar_key IS NOT NULL;

-- Each booking row carries its instrument's calendar, written by the database alone: on
-- insert (or a change of instrument) from the instrument row, read FOR SHARE so that a change
-- of sharing committing meanwhile is either waited for or waits for this booking; and on a
-- change of the instrument's calendar for all its rows. Whoever writes (the API, an importer,
-- plain SQL) cannot get it wrong.
ALTER TABLE booking ADD COLUMN calendar_key bigint;
UPDATE booking SET calendar_key = instrument_id;
ALTER TABLE booking ALTER COLUMN calendar_key SET NOT NULL;

CREATE FUNCTION booking_calendar_key() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    key bigint;
BEGIN
    SELECT coalesce(i.calendar_key, i.id) INTO key FROM instrument i
    WHERE i.id = NEW.instrument_id FOR SHARE;
    NEW.calendar_key := coalesce(key, NEW.instrument_id);
    RETURN NEW;
END
$$;
CREATE TRIGGER booking_calendar_key BEFORE INSERT OR UPDATE OF instrument_id, calendar_key
    ON booking FOR EACH ROW EXECUTE FUNCTION booking_calendar_key();

CREATE FUNCTION instrument_calendar_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE booking SET calendar_key = coalesce(NEW.calendar_key, NEW.id)
    WHERE instrument_id = NEW.id AND calendar_key <> coalesce(NEW.calendar_key, NEW.id);
    RETURN NULL;
END
$$;
CREATE TRIGGER instrument_calendar_moved AFTER UPDATE OF calendar_key ON instrument
    FOR EACH ROW WHEN (OLD.calendar_key IS DISTINCT FROM NEW.calendar_key)
    EXECUTE FUNCTION instrument_calendar_moved();

-- Active claims of one calendar never overlap, whichever of its instruments they are on.
ALTER TABLE booking DROP CONSTRAINT booking_no_overlap;
ALTER TABLE booking ADD CONSTRAINT booking_no_overlap EXCLUDE USING gist (
    int8range(calendar_key, calendar_key, '[]') WITH &&,
    tstzrange(starts_at, occupied_until, '[)') WITH &&
) WHERE (status IN ('held', 'pending', 'confirmed', 'in_use'));

-- The "last claim starting before" descent of the free-time search, now per calendar.
DROP INDEX booking_active_claim_idx;
CREATE INDEX booking_active_claim_idx ON booking (calendar_key, starts_at)
    INCLUDE (occupied_until, kind)
    WHERE status IN ('held', 'pending', 'confirmed', 'in_use');
"""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="service", description=DESCRIPTION)

    async def run() -> None:
        await run_sql(SQL)

    manager.add_raw(run)
    return manager
