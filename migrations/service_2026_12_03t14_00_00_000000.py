"""Search: the instrument index (weighted tsvector + GIN), its queue, the dictionary state,
admin synonyms, the typo vocabulary and the suggestion names."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from service.migrate import run_sql

ID = "2026-12-03T14:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "search: segmented tsvector index, synonyms, vocabulary, suggestions"

SQL = """
-- One row per indexed instrument. The document is built by the application (Chinese word
-- segmentation and English stemming happen in Python, see service/search/document.py) and
-- written in the transaction of the instrument write; `dictionary` names the dictionary it was
-- built with, so a dictionary change can find the rows to rebuild. No extension needed: a GIN
-- index over a plain tsvector.
CREATE TABLE instrument_search (
    instrument_id bigint PRIMARY KEY REFERENCES instrument(id) ON DELETE CASCADE,
    document tsvector NOT NULL,
    dictionary text NOT NULL,
    indexed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX instrument_search_document_idx ON instrument_search USING gin (document);

-- Instruments whose index row is missing or out of date. Filled by the database itself on every
-- insert and on every change of a searched column, whoever writes (the API, the seeds, an
-- importer, plain SQL); emptied by the indexer in the same transaction as it writes the row, or
-- by the `search_index_pending` job within a minute for writers that do not call it.
CREATE TABLE search_pending (
    instrument_id bigint PRIMARY KEY REFERENCES instrument(id) ON DELETE CASCADE,
    queued_at timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION search_queue_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_pending (instrument_id) SELECT id FROM inserted ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
CREATE TRIGGER search_queue_inserted_trg AFTER INSERT ON instrument
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION search_queue_inserted();

CREATE FUNCTION search_queue_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_pending (instrument_id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
CREATE TRIGGER search_queue_updated_trg AFTER UPDATE ON instrument FOR EACH ROW
    WHEN (OLD.name_zh IS DISTINCT FROM NEW.name_zh OR OLD.name_en IS DISTINCT FROM NEW.name_en
          OR OLD.category_code IS DISTINCT FROM NEW.category_code
          OR OLD.model IS DISTINCT FROM NEW.model
          OR OLD.manufacturer IS DISTINCT FROM NEW.manufacturer
          OR OLD.specs IS DISTINCT FROM NEW.specs OR OLD.functions IS DISTINCT FROM NEW.functions
          OR OLD.subject_areas IS DISTINCT FROM NEW.subject_areas)
    EXECUTE FUNCTION search_queue_updated();

-- Instruments that exist before this migration are indexed by the first `search_index_pending`
-- run (or `python -m service search reindex`; `serve` runs it at start).
INSERT INTO search_pending (instrument_id) SELECT id FROM instrument;

-- The database's part of the dictionary version: bumped by any change of the admin synonyms or
-- of the classification. `indexed` is the version the last complete rebuild reached.
CREATE TABLE search_dictionary_state (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    version bigint NOT NULL DEFAULT 1,
    changed_at timestamptz NOT NULL DEFAULT now(),
    indexed text NOT NULL DEFAULT ''
);
INSERT INTO search_dictionary_state DEFAULT VALUES;

CREATE FUNCTION search_dictionary_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM changed) THEN
        UPDATE search_dictionary_state SET version = version + 1, changed_at = now();
    END IF;
    RETURN NULL;
END $$;

-- Synonym entries added by platform admins: `terms` join the concept `concept` (a shipped one
-- or a new one), `broader` adds the concepts it belongs to.
CREATE TABLE search_synonym (
    id bigserial PRIMARY KEY,
    concept text NOT NULL CHECK (concept ~ '^[a-z0-9][a-z0-9_.:-]{0,62}$'),
    terms text[] NOT NULL CHECK (cardinality(terms) BETWEEN 1 AND 50),
    broader text[] NOT NULL DEFAULT '{}' CHECK (cardinality(broader) <= 10),
    note text NOT NULL DEFAULT '' CHECK (length(note) <= 500),
    created_by bigint REFERENCES app_user(id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TRIGGER search_synonym_insert_trg AFTER INSERT ON search_synonym
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION search_dictionary_changed();
CREATE TRIGGER search_synonym_update_trg AFTER UPDATE ON search_synonym
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION search_dictionary_changed();
CREATE TRIGGER search_synonym_delete_trg AFTER DELETE ON search_synonym
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION search_dictionary_changed();
CREATE TRIGGER search_category_insert_trg AFTER INSERT ON category
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION search_dictionary_changed();
CREATE TRIGGER search_category_update_trg AFTER UPDATE ON category
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION search_dictionary_changed();
CREATE TRIGGER search_category_delete_trg AFTER DELETE ON category
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION search_dictionary_changed();

-- Latin words seen in indexed texts: what a misspelt query word is corrected against.
CREATE TABLE search_vocabulary (
    word text PRIMARY KEY CHECK (length(word) BETWEEN 3 AND 64)
);

-- What the search box suggests while typing: distinct instrument names and the classes, each
-- with its own small document (names, their concepts) and how many instruments carry it.
CREATE TABLE search_suggestion (
    id bigserial PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('instrument', 'category')),
    name_zh text NOT NULL,
    name_en text NOT NULL,
    category_code text,
    document tsvector NOT NULL,
    instruments integer NOT NULL DEFAULT 0,
    UNIQUE (kind, name_zh, name_en)
);
CREATE INDEX search_suggestion_document_idx ON search_suggestion USING gin (document);
"""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="service", description=DESCRIPTION)

    async def run() -> None:
        await run_sql(SQL)

    manager.add_raw(run)
    return manager
