"""Search: the sort and filter keys of each instrument beside its search document, kept by the
database, so a search ranks and pages on `instrument_search` alone."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from service.migrate import run_sql

ID = "2026-12-03T14:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "search: sort and filter keys beside the document"

SQL = """
-- What a search filters and sorts on, copied from the instrument: a search then finds, filters,
-- ranks and pages on this table alone and joins only the rows of the page it returns. The
-- copies are the database's own business: an insert into `instrument` creates the row (with an
-- empty document, which matches nothing until the indexer writes the real one) and an update
-- of a copied column updates it in the same statement, whoever writes (the API, an importer,
-- plain SQL), so they are never stale, not even for a moment.
-- The table is built anew (compact, no dead row versions) with the keys in front and the
-- document last; instruments without a row yet get one with an empty document (they are
-- still queued in `search_pending`).
CREATE TABLE instrument_search_keyed (
    instrument_id bigint NOT NULL REFERENCES instrument(id) ON DELETE CASCADE,
    retired boolean NOT NULL,
    institution_id bigint NOT NULL,
    original_value numeric(12,2) NOT NULL,
    created_at timestamptz NOT NULL,
    name_zh text NOT NULL,
    category_code text NOT NULL,
    share_mode text NOT NULL,
    status text NOT NULL,
    instrument_type text NOT NULL,
    dictionary text NOT NULL DEFAULT '',
    indexed_at timestamptz NOT NULL DEFAULT now(),
    document tsvector NOT NULL DEFAULT ''::tsvector
);
INSERT INTO instrument_search_keyed
SELECT i.id, i.retired_at IS NOT NULL, i.institution_id, i.original_value, i.created_at,
       i.name_zh, i.category_code, i.share_mode, i.status, i.instrument_type,
       coalesce(s.dictionary, ''), coalesce(s.indexed_at, now()), coalesce(s.document, '')
FROM instrument i LEFT JOIN instrument_search s ON s.instrument_id = i.id
ORDER BY i.id;
DROP TABLE instrument_search;
ALTER TABLE instrument_search_keyed RENAME TO instrument_search;
ALTER TABLE instrument_search
    RENAME CONSTRAINT instrument_search_keyed_instrument_id_fkey
    TO instrument_search_instrument_id_fkey;
ALTER TABLE instrument_search ADD CONSTRAINT instrument_search_pkey PRIMARY KEY (instrument_id);
CREATE INDEX instrument_search_document_idx ON instrument_search USING gin (document);

-- The one place that says how a new row's keys come from its instrument.
CREATE FUNCTION search_add_rows(ids bigint[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO instrument_search (instrument_id, retired, institution_id, original_value,
                                   created_at, name_zh, category_code, share_mode, status,
                                   instrument_type)
    SELECT i.id, i.retired_at IS NOT NULL, i.institution_id, i.original_value, i.created_at,
           i.name_zh, i.category_code, i.share_mode, i.status, i.instrument_type
    FROM instrument i WHERE i.id = ANY(ids)
    ON CONFLICT (instrument_id) DO NOTHING
$$;

CREATE FUNCTION search_keys_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM search_add_rows(ARRAY(SELECT id FROM inserted));
    RETURN NULL;
END $$;
CREATE TRIGGER search_keys_inserted_trg AFTER INSERT ON instrument
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION search_keys_inserted();

CREATE FUNCTION search_keys_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE instrument_search
    SET name_zh = NEW.name_zh, retired = NEW.retired_at IS NOT NULL,
        institution_id = NEW.institution_id, category_code = NEW.category_code,
        share_mode = NEW.share_mode, status = NEW.status, instrument_type = NEW.instrument_type,
        original_value = NEW.original_value, created_at = NEW.created_at
    WHERE instrument_id = NEW.id;
    IF NOT FOUND THEN
        PERFORM search_add_rows(ARRAY[NEW.id]);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER search_keys_updated_trg AFTER UPDATE ON instrument FOR EACH ROW
    WHEN (OLD.name_zh IS DISTINCT FROM NEW.name_zh
          OR (OLD.retired_at IS NULL) IS DISTINCT FROM (NEW.retired_at IS NULL)
          OR OLD.institution_id IS DISTINCT FROM NEW.institution_id
          OR OLD.category_code IS DISTINCT FROM NEW.category_code
          OR OLD.share_mode IS DISTINCT FROM NEW.share_mode
          OR OLD.status IS DISTINCT FROM NEW.status
          OR OLD.instrument_type IS DISTINCT FROM NEW.instrument_type
          OR OLD.original_value IS DISTINCT FROM NEW.original_value
          OR OLD.created_at IS DISTINCT FROM NEW.created_at)
    EXECUTE FUNCTION search_keys_updated();
"""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="service", description=DESCRIPTION)

    async def run() -> None:
        await run_sql(SQL)

    manager.add_raw(run)
    return manager
