"""Every SQL statement of the calendars package, named by what it does.

Feeds: one WHERE clause per scope is shared by the row query and the validator query, so the
ETag is computed over exactly the rows the feed would contain. Parameters everywhere: $1 target
id, $2 window start, $3 window end, $4 cancelled cutoff."""

from __future__ import annotations

from service.availability.sql import same_calendar
from service.calendars.schemas import StoredScope
from service.common.codes import FEED_VISIBLE, OCCUPYING, sql_in
from service.common.sql import zone_join

#: A feed token's feed, if its owner may still see it (and a throttled last-used stamp).
FEED_BY_HASH = """
WITH t AS (
    SELECT f.id, f.scope, f.target_id, f.created_at, u.language,
           i.name_zh AS instrument_zh, i.name_en AS instrument_en,
           n.name_zh AS institution_zh, n.name_en AS institution_en,
           CASE
             WHEN f.scope = 'user' THEN f.target_id = f.user_id
             WHEN f.scope = 'institution' THEN n.id IS NOT NULL AND (u.is_platform_admin
                  OR EXISTS (SELECT 1 FROM institution_admin a
                             WHERE a.user_id = f.user_id AND a.institution_id = n.id))
             ELSE i.id IS NOT NULL AND (u.is_platform_admin
                  OR EXISTS (SELECT 1 FROM instrument_manager m
                             WHERE m.user_id = f.user_id AND m.instrument_id = i.id)
                  OR EXISTS (SELECT 1 FROM institution_admin a
                             WHERE a.user_id = f.user_id AND a.institution_id = i.institution_id)
                  OR (f.scope = 'instrument_public' AND (i.share_mode = 'external'
                      OR (i.share_mode = 'internal' AND i.institution_id = u.institution_id))))
           END AS visible
    FROM feed_token f
    JOIN app_user u ON u.id = f.user_id AND u.is_active
    LEFT JOIN instrument i ON f.scope IN ('instrument', 'instrument_public') AND i.id = f.target_id
    LEFT JOIN institution n ON f.scope = 'institution' AND n.id = f.target_id
    WHERE f.token_hash = $1 AND f.revoked_at IS NULL
), touched AS (
    UPDATE feed_token SET last_used_at = now()
    WHERE id = (SELECT id FROM t WHERE visible)
      AND (last_used_at IS NULL OR last_used_at < now() - interval '10 minutes')
)
SELECT t.*, set_config('plan_cache_mode', 'force_custom_plan', true) AS plan_mode
FROM t WHERE visible
"""

INSERT_IMPORTED_EVENT = """
INSERT INTO booking (kind, instrument_id, user_id, starts_at, ends_at, occupied_until, status,
                     purpose, booker_institution_id, booker_region_code, is_external,
                     is_cross_region)
SELECT $8, i.id, $2, $3, $4, $4, 'confirmed', $5, $6, $7,
       $8 = 'booking' AND n.id <> $6, $8 = 'booking' AND n.region_code <> $7
FROM instrument i JOIN institution n ON n.id = i.institution_id WHERE i.id = $1
RETURNING id
"""

INSERT_IMPORT_HISTORY = """
INSERT INTO booking_event (booking_id, actor_user_id, action, to_status, reason, data)
VALUES ($1, $2, $5, 'confirmed', $3, $4)
"""

INSERT_IMPORTED_CLOSURE = """
INSERT INTO calendar_exception (instrument_id, day, reason)
SELECT $1, d::date, $4 FROM generate_series($2::date, $3::date - 1, interval '1 day') AS d
"""

INVITE_BOOKING = """
SELECT b.id, b.kind, b.status, b.version, b.starts_at, b.ends_at, b.created_at, b.updated_at,
       i.id, i.name_zh, i.name_en, i.building, i.room, n.name_zh, n.name_en,
       u.display_name, b.purpose, b.service_way,
       u.email AS booker_email, i.contact_email, i.contact_name, b.user_id, i.institution_id
FROM booking b
JOIN instrument i ON i.id = b.instrument_id
JOIN institution n ON n.id = i.institution_id
JOIN app_user u ON u.id = b.user_id
WHERE b.id = $1
"""

SCOPE_WHERE: dict[StoredScope, str] = {
    "user": "b.user_id = $1 AND b.kind = 'booking'",
    "instrument": "b.instrument_id = $1",
    "instrument_public": "b.instrument_id = $1",
    "institution": "b.instrument_id IN (SELECT id FROM instrument WHERE institution_id = $1)",
}

FEED_ACTIVE = sql_in(FEED_VISIBLE)


FEED_COMMON_WHERE = f"""
    b.starts_at < $3 AND b.ends_at > $2 AND b.status <> 'held'
    AND (b.status IN {FEED_ACTIVE} OR b.updated_at >= $4)
"""

FEED_PRIVATE_COLUMNS = "u.display_name, b.purpose, b.service_way"
FEED_PUBLIC_COLUMNS = "NULL::text, NULL::text, NULL::text"


def rows_sql(scope: StoredScope) -> str:
    """Columns in `EventRow` order. Public feeds never select who or why."""
    private = scope != "instrument_public"
    return f"""
SELECT b.id, b.kind, b.status, b.version, b.starts_at, b.ends_at, b.created_at, b.updated_at,
       i.id, i.name_zh, i.name_en, i.building, i.room, n.name_zh, n.name_en,
       {FEED_PRIVATE_COLUMNS if private else FEED_PUBLIC_COLUMNS}
FROM booking b
JOIN instrument i ON i.id = b.instrument_id
JOIN institution n ON n.id = i.institution_id
{"JOIN app_user u ON u.id = b.user_id" if private else ""}
WHERE {SCOPE_WHERE[scope]} AND {FEED_COMMON_WHERE}
ORDER BY b.starts_at, b.id
"""


def validator_sql(scope: StoredScope) -> str:
    """One aggregate row that changes whenever the feed's content would."""
    return f"""
SELECT count(*) AS n, max(b.updated_at) AS booking_changed, coalesce(sum(b.version), 0) AS versions,
       max(i.updated_at) AS instrument_changed
FROM booking b JOIN instrument i ON i.id = b.instrument_id
WHERE {SCOPE_WHERE[scope]} AND {FEED_COMMON_WHERE}
"""


INSTRUMENT_NAMES = "SELECT name_zh, name_en FROM instrument WHERE id = $1"

MANAGED_INSTRUMENT_PLACE = f"""SELECT i.id, i.institution_id, r.timezone, n.region_code FROM instrument i
           {zone_join("i", "n")}
           WHERE i.id = $1"""

INSTRUMENT_SHARING = "SELECT institution_id, share_mode FROM instrument WHERE id = $1"
INSTITUTION_EXISTS = "SELECT true FROM institution WHERE id = $1"
INSERT_FEED_UNDER_LIMIT = """INSERT INTO feed_token (user_id, scope, target_id, token_hash)
           SELECT $1, $2, $3, $4
           WHERE (SELECT count(*) FROM feed_token WHERE user_id = $1 AND revoked_at IS NULL) < $5
           RETURNING id, scope, target_id, created_at"""
ACTIVE_FEEDS_OF_USER = """SELECT id, scope, target_id, created_at, rotated_at, last_used_at FROM feed_token
           WHERE user_id = $1 AND revoked_at IS NULL ORDER BY id"""
ROTATE_FEED = """UPDATE feed_token SET token_hash = $3, rotated_at = now(), last_used_at = NULL
           WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL
           RETURNING id, scope, target_id, created_at"""
REVOKE_FEED = """UPDATE feed_token SET revoked_at = now()
           WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL"""


#: Occupying bookings and blocks on the instrument's calendar overlapping [$2, $3).
ACTIVE_IN_RANGE = f"""
SELECT id, kind, starts_at, occupied_until FROM booking
WHERE {same_calendar("")}
  AND tstzrange(starts_at, occupied_until, '[)') && tstzrange($2, $3, '[)')
  AND status IN {sql_in(OCCUPYING)}
ORDER BY starts_at
"""
