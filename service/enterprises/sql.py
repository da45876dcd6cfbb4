"""SQL of enterprises: registering one, and merging a duplicate into the one that stays
($1 = duplicate, $2 = survivor in the moves)."""

MOVE_USERS = "UPDATE app_user SET institution_id = $2, updated_at = now() WHERE institution_id = $1"

MOVE_MEMBERSHIPS = "UPDATE membership SET institution_id = $2 WHERE institution_id = $1"

COPY_INSTITUTION_ADMINS = """INSERT INTO institution_admin (user_id, institution_id)
        SELECT user_id, $2 FROM institution_admin WHERE institution_id = $1
        ON CONFLICT DO NOTHING"""

DELETE_INSTITUTION_ADMINS = "DELETE FROM institution_admin WHERE institution_id = $1"

MOVE_INSTRUMENTS = (
    "UPDATE instrument SET institution_id = $2, updated_at = now() WHERE institution_id = $1"
)

MOVE_BOOKINGS = "UPDATE booking SET booker_institution_id = $2 WHERE booker_institution_id = $1"

MOVE_USAGE_SESSIONS = (
    "UPDATE usage_session SET user_institution_id = $2 WHERE user_institution_id = $1"
)

MOVE_EMAIL_DOMAINS = (
    "UPDATE institution_email_domain SET institution_id = $2 WHERE institution_id = $1"
)

MOVE_IDENTITY_PROVIDERS = """UPDATE identity_provider p SET institution_id = $2 WHERE institution_id = $1
        AND NOT EXISTS (SELECT 1 FROM identity_provider q
                        WHERE q.institution_id = $2 AND q.protocol = p.protocol)"""

MOVE_DEFAULT_POLICY = """UPDATE booking_policy SET institution_id = $2 WHERE institution_id = $1
        AND NOT EXISTS (SELECT 1 FROM booking_policy WHERE institution_id = $2)"""

DELETE_DEFAULT_POLICY = "DELETE FROM booking_policy WHERE institution_id = $1"

MOVE_INSTITUTION_FEEDS = (
    "UPDATE feed_token SET target_id = $2 WHERE scope = 'institution' AND target_id = $1"
)

LOCK_PAIR = (
    "SELECT id, kind, merged_into FROM institution WHERE id = ANY($1::bigint[]) "
    "ORDER BY id FOR UPDATE"
)

USAGE_SPAN = """SELECT array_agg(DISTINCT instrument_id) AS ids, min(started_at)::date AS lo,
                  max(coalesce(ended_at, started_at))::date AS hi
           FROM usage_session WHERE user_institution_id = $1"""

RETIRE_DUPLICATE = (
    "UPDATE institution SET active = false, merged_into = $2, credit_code = NULL "
    "WHERE id = $1 RETURNING (SELECT credit_code FROM institution WHERE id = $1)"
)

KEEP_CREDIT_CODE = "UPDATE institution SET credit_code = coalesce(credit_code, $2) WHERE id = $1"

REGION_EXISTS = "SELECT 1 FROM region WHERE code = $1"

INSERT_INSTITUTION_ADMIN = "INSERT INTO institution_admin (user_id, institution_id) VALUES ($1, $2)"

INSERT_ENTERPRISE = """INSERT INTO institution (code, name_zh, name_en, kind, region_code,
                           credit_code) VALUES ($1, $2, $3, 'enterprise', $4, $5) RETURNING id"""
