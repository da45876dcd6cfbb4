"""SQL of usage corrections. Sessions are locked (`FOR UPDATE`) before they are read for a
change, so two corrections of one session apply one after the other, each with its history row.
The dirty-day triggers on `usage_session` mark the old and the new days."""

from __future__ import annotations

from service.bookings.sql import SESSION_COLUMNS as _PLAIN

#: The session's columns, qualified (the queries join the instrument and its owner).
COLUMNS = ", ".join("s." + c.strip() for c in _PLAIN.split(","))

LOCK_SESSION = f"""
SELECT {COLUMNS}, i.institution_id AS owner_id, n.region_code AS owner_region
FROM usage_session s JOIN instrument i ON i.id = s.instrument_id
JOIN institution n ON n.id = i.institution_id
WHERE s.id = $1 FOR UPDATE OF s
"""

GET_SESSION = f"""
SELECT {COLUMNS}, i.institution_id AS owner_id
FROM usage_session s JOIN instrument i ON i.id = s.instrument_id WHERE s.id = $1
"""

UPDATE_SESSION = f"""
UPDATE usage_session s SET started_at = $2, ended_at = $3, service_way = $4, samples = $5,
    amount = $6, note = $7, user_id = $8, user_institution_id = $9, user_region_code = $10,
    is_external = $11, is_cross_region = $12, affiliation_verified = $13
WHERE s.id = $1
RETURNING {COLUMNS}
"""

DELETE_SESSION = "DELETE FROM usage_session WHERE id = $1"

ROW_JSON = "SELECT to_jsonb(s) FROM usage_session s WHERE s.id = $1"

INSERT_REVISION = """
INSERT INTO usage_session_revision (session_id, instrument_id, action, actor_user_id, at,
                                    reason, before, after)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
"""

HISTORY = """
SELECT id, session_id, instrument_id, action, actor_user_id, at, reason, before, after
FROM usage_session_revision WHERE session_id = $1 ORDER BY at, id
"""

#: The history of a deleted session names its instrument only in the revision rows.
REVISION_INSTRUMENT = """
SELECT r.instrument_id, i.institution_id FROM usage_session_revision r
JOIN instrument i ON i.id = r.instrument_id WHERE r.session_id = $1 LIMIT 1
"""
