"""SQL of accounts: every statement the package runs, and the SQL meaning of a membership
in force, which other packages put into their own statements."""

from __future__ import annotations

from service.common.sql import zone_join

#: A verified membership of the user's stated institution whose end (if any) lies after `{now}`.
#: `{u}` is the alias of `app_user`; the membership alias is `m`.
IN_FORCE = """m.user_id = {u}.id AND m.institution_id = {u}.institution_id AND m.state = 'verified'
    AND (m.ends_at IS NULL OR m.ends_at > {now})"""


def in_force_exists(user_alias: str = "u", now: str = "now()") -> str:
    """An SQL boolean expression: the user has a membership in force."""
    return f"EXISTS (SELECT 1 FROM membership m WHERE {IN_FORCE.format(u=user_alias, now=now)})"


def in_force_of(user: str, institution: str, now: str) -> str:
    """An SQL boolean expression: user `user` has a membership of `institution` in force at
    `now` (each an SQL expression, e.g. a parameter)."""
    return f"""EXISTS (SELECT 1 FROM membership m WHERE m.user_id = {user}
        AND m.institution_id = {institution} AND m.state = 'verified'
        AND (m.ends_at IS NULL OR m.ends_at > {now}))"""


DELETE_SESSION_AND_EXPIRED = (
    "DELETE FROM user_session WHERE id_hash = $1 OR (user_id = $2 AND expires_at < now())"
)

INSERT_SESSION = """INSERT INTO user_session (id_hash, user_id, csrf_token, expires_at)
           VALUES ($1, $2, $3, now() + $4::interval) RETURNING expires_at"""

LOGIN_USER_BY_EMAIL = (
    "SELECT id, password_hash, is_active, institution_id FROM app_user WHERE lower(email) = $1"
)

DELETE_SESSION = "DELETE FROM user_session WHERE id_hash = $1"

PASSWORD_HASH = "SELECT password_hash FROM app_user WHERE id = $1"

DELETE_OTHER_SESSIONS = (
    "DELETE FROM user_session WHERE user_id = $1 AND id_hash IS DISTINCT FROM $2"
)

REVOKE_USER_TOKENS = (
    "UPDATE api_token SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL"
)

SET_PASSWORD_HASH = (
    "UPDATE app_user SET password_hash = $2, updated_at = now() WHERE id = $1 "
    "RETURNING institution_id"
)

FIRST_TOP_REGION = (
    "SELECT code FROM region WHERE parent_code IS NULL AND NOT partner ORDER BY code LIMIT 1"
)

INSTITUTION_BY_CODE = "SELECT id FROM institution WHERE code = $1"

UPSERT_INSTITUTION = """INSERT INTO institution (code, name_zh, name_en, kind, region_code)
               VALUES ($1, $2, $3, 'other', $4)
               ON CONFLICT (code) DO UPDATE SET code = EXCLUDED.code RETURNING id"""

USER_ID_BY_EMAIL = "SELECT id FROM app_user WHERE lower(email) = $1"

INSERT_PLATFORM_ADMIN = """INSERT INTO app_user (email, display_name, institution_id, password_hash,
                                         is_platform_admin)
                   VALUES ($1, $2, $3, $4, true) RETURNING id"""

PROMOTE_PLATFORM_ADMIN = """UPDATE app_user SET is_platform_admin = true, is_active = true,
                       password_hash = coalesce($2, password_hash), updated_at = now()
                   WHERE id = $1"""

INSERT_MEMBERSHIP = """INSERT INTO membership (user_id, institution_id, state, method, decided_at, decided_by)
           VALUES ($1, $2, CASE WHEN $3::text IS NULL THEN 'claimed' ELSE 'verified' END, $3,
                   CASE WHEN $3::text IS NULL THEN NULL ELSE coalesce($5, now()) END, $4)
           RETURNING id"""

ISSUE_ONE_TIME_TOKEN = """
INSERT INTO one_time_token (token_hash, purpose, user_id, institution_id, email, data, expires_at)
VALUES ($1, $2, $3, $4, $5, $6, now() + $7::interval)
"""

FIND_ONE_TIME_TOKEN = """
SELECT purpose, user_id, institution_id, email, data, created_at, expires_at
FROM one_time_token
WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()
"""

REDEEM_ONE_TIME_TOKEN = """
UPDATE one_time_token SET used_at = now()
WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()
RETURNING purpose, user_id, institution_id, email, data, created_at, expires_at
"""

ONE_TIME_TOKEN_RECENTLY_ISSUED = """SELECT EXISTS (SELECT 1 FROM one_time_token WHERE user_id = $1 AND purpose = $2
               AND used_at IS NULL AND created_at > now() - $3::interval)"""

RETIRE_ONE_TIME_TOKENS = (
    "UPDATE one_time_token SET used_at = now() "
    "WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL"
)

ACTIVE_USER_BY_EMAIL_FOR_UPDATE = """SELECT id, email, display_name, language, institution_id FROM app_user
               WHERE lower(email) = $1 AND is_active FOR UPDATE"""

TOUCH_TOKEN = "UPDATE api_token SET last_used_at = now() WHERE id = $1"

GRANT_INSTITUTION_ADMIN = """INSERT INTO institution_admin (user_id, institution_id) VALUES ($1, $2)
           ON CONFLICT DO NOTHING"""

INSTRUMENT_INSTITUTION = "SELECT institution_id FROM instrument WHERE id = $1"

GRANTABLE_USER = "SELECT id, institution_id, is_active FROM app_user WHERE id = $1"

INSTRUMENT_MANAGERS = """SELECT u.id AS user_id, u.email, u.display_name, u.institution_id
           FROM instrument_manager m JOIN app_user u ON u.id = m.user_id
           WHERE m.instrument_id = $1 ORDER BY u.id"""

INSTITUTION_EXISTS = "SELECT 1 FROM institution WHERE id = $1"

USER_EXISTS = "SELECT 1 FROM app_user WHERE id = $1"

INSERT_INSTITUTION_ADMIN = """INSERT INTO institution_admin (user_id, institution_id) VALUES ($1, $2)
                   ON CONFLICT DO NOTHING"""

DELETE_INSTITUTION_ADMIN = (
    "DELETE FROM institution_admin WHERE user_id = $1 AND institution_id = $2"
)

INSERT_INSTRUMENT_MANAGER = """INSERT INTO instrument_manager (user_id, instrument_id) VALUES ($1, $2)
                   ON CONFLICT DO NOTHING"""

DELETE_INSTRUMENT_MANAGER = (
    "DELETE FROM instrument_manager WHERE user_id = $1 AND instrument_id = $2"
)

USER_INSTITUTION = "SELECT institution_id FROM app_user WHERE id = $1"

FAILURES_OF_PAIR = """SELECT failed_at FROM login_failure
WHERE email_lower = $1 AND client_address = $2 AND failed_at > $3"""

FAILURES_OF_ADDRESS = """SELECT failed_at FROM login_failure
WHERE client_address = $1 AND failed_at > $2 ORDER BY failed_at DESC LIMIT $3"""

CLEAR_FAILURES_OF_PAIR = "DELETE FROM login_failure WHERE email_lower = $1 AND client_address = $2"

PRUNE_FAILURES = "DELETE FROM login_failure WHERE failed_at < now() - $1::interval"

INSERT_FAILURE = """INSERT INTO login_failure (email_lower, client_address, failed_at)
               VALUES ($1, $2, clock_timestamp())"""

INSERT_TOKEN = """INSERT INTO api_token (user_id, name, token_hash, prefix, expires_at)
           VALUES ($1, $2, $3, $4, now() + $5::interval)
           RETURNING id, name, prefix, created_at, expires_at"""

REVOKE_TOKEN_BY_HASH = (
    "UPDATE api_token SET revoked_at = coalesce(revoked_at, now()) WHERE token_hash = $1"
)

USER_FOR_UPDATE = (
    "SELECT id, institution_id, is_platform_admin, is_active FROM app_user WHERE id = $1 FOR UPDATE"
)

PATCH_USER = """UPDATE app_user SET display_name = coalesce($2, display_name),
                   is_active = coalesce($3, is_active),
                   is_platform_admin = coalesce($4, is_platform_admin), updated_at = now()
               WHERE id = $1"""

DELETE_USER_SESSIONS = "DELETE FROM user_session WHERE user_id = $1"

ME = f"""
SELECT u.id, u.email, u.display_name, u.language, u.is_platform_admin, u.reminder_lead_minutes,
       u.created_at, u.phone, i.id AS inst_id, i.code AS inst_code, i.name_zh AS inst_name_zh,
       i.name_en AS inst_name_en, r.code AS region_code, r.name_zh AS region_name_zh,
       r.name_en AS region_name_en, r.timezone, m.state AS m_state, m.method AS m_method,
       m.claimed_at AS m_claimed_at, m.decided_at AS m_decided_at, m.ends_at AS m_ends_at,
       m.ends_at IS NOT NULL AND m.ends_at <= now() AS m_ended,
       EXISTS (SELECT 1 FROM evaluator_assignment e WHERE e.user_id = u.id) AS evaluator
FROM app_user u
LEFT JOIN LATERAL (SELECT * FROM membership x WHERE x.user_id = u.id AND x.institution_id = u.institution_id
                   ORDER BY x.id DESC LIMIT 1) m ON true {zone_join("u", "i")}
WHERE u.id = $1
"""

ADMINISTERED_INSTITUTIONS = """
SELECT i.id, i.code, i.name_zh, i.name_en, i.region_code
FROM institution_admin a JOIN institution i ON i.id = a.institution_id
WHERE a.user_id = $1 ORDER BY i.id
"""

MANAGED_INSTRUMENTS = """
SELECT n.id, n.name_zh, n.name_en, n.institution_id
FROM instrument_manager m JOIN instrument n ON n.id = m.instrument_id
WHERE m.user_id = $1 ORDER BY n.id
"""

INSTITUTION_ACTIVE = "SELECT active FROM institution WHERE id = $1"

EMAIL_TAKEN = "SELECT 1 FROM app_user WHERE lower(email) = $1"

UPDATE_ME = """UPDATE app_user SET display_name = coalesce($2, display_name),
                   language = coalesce($3, language),
                   reminder_lead_minutes = coalesce($4::int[], reminder_lead_minutes),
                   phone = coalesce($5, phone),
                   updated_at = now()
               WHERE id = $1"""

INSERT_USER = """INSERT INTO app_user (email, display_name, institution_id, language,
                                         password_hash, is_platform_admin)
                   VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"""

PRINCIPAL_COLUMNS = f"""
    u.id, u.email, u.display_name, u.institution_id, i.region_code, u.language, u.is_platform_admin,
    ARRAY(SELECT a.institution_id FROM institution_admin a WHERE a.user_id = u.id) AS admin_of,
    ARRAY(SELECT m.instrument_id FROM instrument_manager m WHERE m.user_id = u.id) AS manages,
    ARRAY(SELECT e.institution_id FROM evaluator_assignment e WHERE e.user_id = u.id) AS evaluates,
    {in_force_exists("u")} AS affiliation_verified
"""

PRINCIPAL_BY_TOKEN = f"""
SELECT {PRINCIPAL_COLUMNS}, NULL::text AS csrf_token, t.id AS token_id,
       (t.last_used_at IS NULL OR t.last_used_at < now() - interval '5 minutes') AS stale
FROM api_token t JOIN app_user u ON u.id = t.user_id JOIN institution i ON i.id = u.institution_id
WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())
  AND u.is_active
"""

PRINCIPAL_BY_SESSION = f"""
SELECT {PRINCIPAL_COLUMNS}, s.csrf_token
FROM user_session s JOIN app_user u ON u.id = s.user_id JOIN institution i ON i.id = u.institution_id
WHERE s.id_hash = $1 AND s.expires_at > now() AND u.is_active
"""

PRINCIPAL_BY_ID = f"""
SELECT {PRINCIPAL_COLUMNS}, NULL::text AS csrf_token
FROM app_user u JOIN institution i ON i.id = u.institution_id WHERE u.id = $1 AND u.is_active
"""

USER_COLUMNS = """
    u.id, u.email, u.display_name, u.institution_id, u.language, u.is_active, u.is_platform_admin,
    ARRAY(SELECT a.institution_id FROM institution_admin a WHERE a.user_id = u.id
          ORDER BY a.institution_id) AS admin_of,
    ARRAY(SELECT m.instrument_id FROM instrument_manager m WHERE m.user_id = u.id
          ORDER BY m.instrument_id) AS manages,
    u.created_at, u.updated_at
"""

USERS_WHERE = """
WHERE ($1::bigint[] IS NULL OR u.institution_id = ANY($1))
  AND ($2::text IS NULL OR u.email ILIKE $2 ESCAPE '\\' OR u.display_name ILIKE $2 ESCAPE '\\')
  AND ($3::boolean IS NULL OR u.is_active = $3)
"""
LIST_USERS = f"""
SELECT {USER_COLUMNS}, count(*) OVER () AS total FROM app_user u {USERS_WHERE}
ORDER BY u.id LIMIT $4 OFFSET $5
"""
COUNT_USERS = f"SELECT count(*) FROM app_user u {USERS_WHERE}"

USER_BY_ID = f"SELECT {USER_COLUMNS} FROM app_user u WHERE u.id = $1"


#: $1 user, $2 institution, $3 instant.
MEMBERSHIP_IN_FORCE = f"SELECT {in_force_of('$1', '$2', '$3')}"

LIST_TOKENS = """
SELECT id, name, prefix, created_at, last_used_at, expires_at, revoked_at
FROM api_token WHERE user_id = $1 ORDER BY created_at DESC, id DESC
"""

#: The self-join reads the row as it was before the update: `was_live` says whether this
#: call revoked it (and so is audited) or it was revoked already.
REVOKE_OWN_TOKEN = """
UPDATE api_token t SET revoked_at = coalesce(t.revoked_at, now())
FROM api_token old WHERE old.id = t.id AND t.id = $1 AND t.user_id = $2
RETURNING t.id, old.revoked_at IS NULL AS was_live
"""

#: The real time, not the transaction's start (see `throttle.reserve`).
CLOCK = "SELECT clock_timestamp()"

#: $1 the login lock namespace, $2 the client address.
LOCK_LOGIN_ADDRESS = "SELECT pg_advisory_xact_lock($1, hashtext($2))"

# Display lookups of the pages (`lookups.py`).
ACTIVE_USER_BY_EMAIL = "SELECT id FROM app_user WHERE lower(email) = lower($1) AND is_active"
PEOPLE_BY_ID = """
SELECT u.id, u.display_name, u.email, u.phone, n.name_zh AS institution_zh,
       n.name_en AS institution_en
FROM app_user u JOIN institution n ON n.id = u.institution_id
WHERE u.id = ANY($1::bigint[])
"""
