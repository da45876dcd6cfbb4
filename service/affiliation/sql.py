"""SQL of the affiliation package."""

from __future__ import annotations

MEMBERSHIP_COLUMNS = """m.id, m.user_id, u.email, u.display_name, m.institution_id, m.state,
    m.method, m.claimed_at, m.decided_at, m.decided_by, m.reason, m.ends_at,
    m.state = 'verified' AND (m.ends_at IS NULL OR m.ends_at > now()) AS in_force"""

LIST_MEMBERSHIPS = f"""
SELECT {MEMBERSHIP_COLUMNS}, count(*) OVER () AS total
FROM membership m JOIN app_user u ON u.id = m.user_id
WHERE m.institution_id = $1 AND ($2::text IS NULL OR m.state = $2)
  AND m.id = (SELECT max(x.id) FROM membership x WHERE x.user_id = m.user_id
              AND x.institution_id = m.institution_id)
ORDER BY m.claimed_at, m.id LIMIT $3 OFFSET $4
"""

#: The user's latest membership row of the institution, locked: a decision waits for the
#: bookings that hold it FOR SHARE, and they wait for the decision.
LOCK_LATEST = """
SELECT m.*, u.email, u.display_name, u.language, u.institution_id AS stated_institution
FROM membership m JOIN app_user u ON u.id = m.user_id
WHERE m.user_id = $1 AND m.institution_id = $2
ORDER BY m.id DESC LIMIT 1 FOR UPDATE OF m
"""

DECIDE = """
UPDATE membership SET state = $2, method = coalesce($3, method), decided_at = now(),
       decided_by = $4, reason = $5
WHERE id = $1
"""

#: A new live claim or membership after a rejected or revoked one (history is kept).
RENEW = """
INSERT INTO membership (user_id, institution_id, state, method, decided_at, decided_by, reason)
VALUES ($1, $2, 'verified', $3, now(), $4, $5)
RETURNING id
"""

GET_MEMBERSHIP = f"""
SELECT {MEMBERSHIP_COLUMNS} FROM membership m JOIN app_user u ON u.id = m.user_id WHERE m.id = $1
"""

INSTITUTION_NAMES = "SELECT id, name_zh, name_en, active FROM institution WHERE id = $1"

DOMAINS = """SELECT domain, institution_id, created_at FROM institution_email_domain
WHERE institution_id = $1 ORDER BY domain"""

CLAIM_OF_USER = """SELECT u.id, u.email, u.display_name, u.language, u.institution_id, m.state
           FROM app_user u LEFT JOIN membership m ON m.user_id = u.id
               AND m.institution_id = u.institution_id AND m.state IN ('claimed', 'verified')
           WHERE u.id = $1 FOR UPDATE OF u"""

REGISTERED_ADDRESS_AND_DOMAINS = """SELECT u.email, array_agg(d.domain) AS domains FROM app_user u
           JOIN institution_email_domain d ON d.institution_id = u.institution_id
           WHERE u.id = $1 GROUP BY u.email"""

SET_MEMBERSHIP_END = "UPDATE membership SET ends_at = $2 WHERE id = $1"

UPSERT_EMAIL_DOMAIN = """INSERT INTO institution_email_domain (domain, institution_id, added_by)
               VALUES ($1, $2, $3) ON CONFLICT (domain) DO UPDATE SET domain = EXCLUDED.domain
               RETURNING institution_id"""

DELETE_EMAIL_DOMAIN = (
    "DELETE FROM institution_email_domain WHERE domain = $1 AND institution_id = $2"
)
