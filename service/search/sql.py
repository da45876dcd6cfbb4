"""Every SQL string of the search package."""

from __future__ import annotations

#: The rank tier of a matched instrument (0 best), given the plan's three tier queries.
RANK_TIER = """CASE WHEN {doc} @@ {tiers[0]}::tsquery THEN 0
     WHEN {doc} @@ {tiers[1]}::tsquery THEN 1
     WHEN {doc} @@ {tiers[2]}::tsquery THEN 2 ELSE 3 END"""

DICTIONARY_STATE = "SELECT version, indexed FROM search_dictionary_state"

SYNONYMS = """
SELECT id, concept, terms, broader, note, created_by, created_at FROM search_synonym ORDER BY id
"""

CATEGORIES = "SELECT code, parent_code, name_zh, name_en FROM category ORDER BY code"

INSERT_SYNONYM = """
INSERT INTO search_synonym (concept, terms, broader, note, created_by)
VALUES ($1, $2, $3, $4, $5)
RETURNING id, concept, terms, broader, note, created_by, created_at
"""

DELETE_SYNONYM = "DELETE FROM search_synonym WHERE id = $1 RETURNING id"

MARK_INDEXED = "UPDATE search_dictionary_state SET indexed = $1"

#: The searched fields of some instruments, with the class chain (own class first).
INSTRUMENT_TEXTS = """
SELECT i.id, i.name_zh, i.name_en, i.model, i.manufacturer, i.specs, i.functions,
       i.subject_areas, i.category_code,
       (SELECT array_agg(c.code || chr(31) || c.name_zh || chr(31) || c.name_en ORDER BY
                         length(c.code) DESC)
          FROM category c WHERE i.category_code LIKE c.code || '%') AS categories
FROM instrument i WHERE i.id = ANY($1::bigint[])
"""

#: The row of every instrument exists from its insert on (a trigger creates it with the
#: instrument's sort and filter keys and an empty document); the indexer writes the document.
WRITE_DOCUMENTS = """
UPDATE instrument_search s SET document = d.document::tsvector, dictionary = $3, indexed_at = now()
FROM unnest($1::bigint[], $2::text[]) AS d(id, document)
WHERE s.instrument_id = d.id
"""

#: Recreates rows someone deleted by hand (the keys come from the instrument, as on insert).
ADD_ROWS = "SELECT search_add_rows($1::bigint[])"

DEQUEUE = "DELETE FROM search_pending WHERE instrument_id = ANY($1::bigint[])"

QUEUE_ALL = (
    "INSERT INTO search_pending (instrument_id) SELECT id FROM instrument ON CONFLICT DO NOTHING"
)

ADD_WORDS = """
INSERT INTO search_vocabulary (word)
SELECT w FROM unnest($1::text[]) AS w ORDER BY w ON CONFLICT DO NOTHING
"""

VOCABULARY = "SELECT word FROM search_vocabulary"

#: Claim a batch of queued instruments; concurrent indexers take disjoint batches.
CLAIM_PENDING = """
SELECT instrument_id FROM search_pending ORDER BY instrument_id
FOR UPDATE SKIP LOCKED LIMIT $1
"""

#: The next batch of rows built with another dictionary, after `$2` (keyset order).
STALE_AFTER = """
SELECT instrument_id FROM instrument_search
WHERE dictionary <> $1 AND instrument_id > $2 ORDER BY instrument_id LIMIT $3
"""

#: A new instrument name starts with a count of one, so it is offered at once; the job keeps
#: the counts exact.
ADD_SUGGESTIONS = """
INSERT INTO search_suggestion (kind, name_zh, name_en, category_code, document, instruments)
SELECT $1, s.zh, s.en, s.code, s.document::tsvector, CASE WHEN $1 = 'instrument' THEN 1 ELSE 0 END
FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS s(zh, en, code, document)
ON CONFLICT (kind, name_zh, name_en) DO UPDATE
SET document = EXCLUDED.document, category_code = EXCLUDED.category_code
"""

MISSING_SUGGESTIONS = """
SELECT DISTINCT i.name_zh, i.name_en FROM instrument i
WHERE i.id = ANY($1::bigint[]) AND NOT EXISTS (
    SELECT 1 FROM search_suggestion s
    WHERE s.kind = 'instrument' AND s.name_zh = i.name_zh AND s.name_en = i.name_en)
"""

ALL_NAMES = "SELECT DISTINCT name_zh, name_en FROM instrument WHERE retired_at IS NULL"

#: Instruments per suggestion (a class counts its sub-classes); then names nobody carries any
#: more, and classes that no longer exist, are dropped.
COUNT_NAMES = """
UPDATE search_suggestion s SET instruments = n.c
FROM (SELECT name_zh, name_en, count(*)::int AS c FROM instrument WHERE retired_at IS NULL
      GROUP BY name_zh, name_en) n
WHERE s.kind = 'instrument' AND s.name_zh = n.name_zh AND s.name_en = n.name_en
  AND s.instruments <> n.c
"""

COUNT_CLASSES = """
UPDATE search_suggestion s SET instruments = k.c
FROM (SELECT c.code, coalesce(sum(g.n), 0)::int AS c FROM category c
      LEFT JOIN (SELECT category_code, count(*) AS n FROM instrument WHERE retired_at IS NULL
                 GROUP BY category_code) g ON g.category_code LIKE c.code || '%'
      GROUP BY c.code) k
WHERE s.kind = 'category' AND s.category_code = k.code AND s.instruments <> k.c
"""

DROP_UNUSED = """
DELETE FROM search_suggestion s
WHERE (s.kind = 'instrument' AND NOT EXISTS (
           SELECT 1 FROM instrument i WHERE i.name_zh = s.name_zh AND i.name_en = s.name_en
             AND i.retired_at IS NULL))
   OR (s.kind = 'category' AND NOT EXISTS (SELECT 1 FROM category c WHERE c.code = s.category_code))
"""

SUGGEST = """
SELECT kind, name_zh, name_en, category_code, instruments FROM search_suggestion
WHERE document @@ $1::tsquery AND instruments > 0
ORDER BY (document @@ $2::tsquery) DESC, kind = 'category' DESC, instruments DESC, name_zh
LIMIT $3
"""
