"""SQL of surveys."""

from __future__ import annotations

from service.common.sql import zone_join

INSERT_SURVEY = """
INSERT INTO survey (title_zh, title_en, period_from, period_to, opened_by, opened_at, closes_at)
VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id
"""

#: Everyone who used an instrument in `[$1, $2)` (local start date in the instrument's zone),
#: with the instruments they used; sessions without a named user are the owners' own use.
PARTICIPANTS = f"""
SELECT s.user_id, u.email, u.display_name, u.language,
       array_agg(DISTINCT s.instrument_id ORDER BY s.instrument_id) AS instruments
FROM usage_session s
JOIN app_user u ON u.id = s.user_id AND u.is_active
JOIN instrument i ON i.id = s.instrument_id
{zone_join("i", "n")}
WHERE s.ended_at IS NOT NULL
  AND s.started_at >= $1::date::timestamp AT TIME ZONE r.timezone
  AND s.started_at < $2::date::timestamp AT TIME ZONE r.timezone
GROUP BY s.user_id, u.email, u.display_name, u.language
ORDER BY s.user_id
"""

INSTRUMENT_NAMES = "SELECT id, name_zh, name_en FROM instrument WHERE id = ANY($1::bigint[])"

INSERT_INVITATION = """
INSERT INTO survey_invitation (survey_id, user_id, token_hash, instruments)
VALUES ($1, $2, $3, $4) RETURNING id
"""

_SURVEY = """s.id, s.title_zh, s.title_en, s.period_from, s.period_to, s.opened_at, s.closes_at,
    s.closed_at,
    (SELECT count(*) FROM survey_invitation v WHERE v.survey_id = s.id) AS invited,
    (SELECT count(*) FROM survey_invitation v WHERE v.survey_id = s.id AND v.answered) AS answered"""

GET_SURVEY = f"SELECT {_SURVEY} FROM survey s WHERE s.id = $1"
LIST_SURVEYS = f"SELECT {_SURVEY} FROM survey s ORDER BY s.opened_at DESC, s.id DESC LIMIT 200"
CLOSE_SURVEY = """
UPDATE survey SET closed_at = $2 WHERE id = $1 AND closed_at IS NULL RETURNING id
"""

INVITATION = """
SELECT v.survey_id, v.instruments, v.answered, s.title_zh, s.title_en, s.period_from,
       s.period_to, s.closes_at, s.closed_at
FROM survey_invitation v JOIN survey s ON s.id = v.survey_id
WHERE v.token_hash = $1
"""

#: The single use: only the first of two concurrent submissions finds the row unanswered.
CLAIM_INVITATION = """
UPDATE survey_invitation SET answered = true
WHERE token_hash = $1 AND NOT answered RETURNING survey_id, instruments
"""

INSERT_ANSWERS = """
INSERT INTO survey_answer (survey_id, instrument_id, institution_id, rating, comment)
SELECT $1, a.instrument_id, i.institution_id, a.rating, a.comment
FROM unnest($2::bigint[], $3::smallint[], $4::text[]) AS a(instrument_id, rating, comment)
JOIN instrument i ON i.id = a.instrument_id
"""

#: `{key}` is `a.instrument_id` or `a.institution_id`; `$2` the institutions the caller reads
#: (NULL: all).
RESULTS = """
SELECT {key} AS key, min(a.institution_id) AS institution_id, count(*) AS answers,
       avg(a.rating)::float8 AS average,
       ARRAY[count(*) FILTER (WHERE a.rating = 5), count(*) FILTER (WHERE a.rating = 4),
             count(*) FILTER (WHERE a.rating = 3), count(*) FILTER (WHERE a.rating = 2),
             count(*) FILTER (WHERE a.rating = 1)] AS levels,
       coalesce(array_agg(a.comment ORDER BY a.comment) FILTER (WHERE a.comment <> ''), '{{}}')
           AS comments
FROM survey_answer a
WHERE a.survey_id = $1 AND ($2::bigint[] IS NULL OR a.institution_id = ANY($2))
GROUP BY {key}
ORDER BY min(a.institution_id), {key}
"""

LABELS = {
    "instrument": "SELECT id::text AS key, name_zh, name_en FROM instrument WHERE id = ANY($1::bigint[])",
    "institution": "SELECT id::text AS key, name_zh, name_en FROM institution WHERE id = ANY($1::bigint[])",
}

# Display lookups of the pages (`lookups.py`).
RATED_BOOKINGS = (
    "SELECT booking_id FROM satisfaction WHERE user_id = $1 AND booking_id = ANY($2::bigint[])"
)
