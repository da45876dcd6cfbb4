"""SQL of the single sign-on package."""

from __future__ import annotations

PROVIDER_COLUMNS = """p.id, p.institution_id, p.protocol, p.issuer, p.client_id,
    p.client_secret_enc, p.email_claim, p.name_claim, p.staff_number_claim, p.allowed_domains,
    p.enabled, p.created_at, p.updated_at, i.name_zh, i.name_en"""

GET_PROVIDER = f"""
SELECT {PROVIDER_COLUMNS} FROM identity_provider p JOIN institution i ON i.id = p.institution_id
WHERE p.id = $1
"""

LIST_OF_INSTITUTION = f"""
SELECT {PROVIDER_COLUMNS} FROM identity_provider p JOIN institution i ON i.id = p.institution_id
WHERE p.institution_id = $1 ORDER BY p.protocol
"""

#: The login page's buttons: enabled providers of active institutions.
LIST_ENABLED = f"""
SELECT {PROVIDER_COLUMNS} FROM identity_provider p JOIN institution i ON i.id = p.institution_id
WHERE p.enabled AND i.active ORDER BY i.name_zh, p.protocol
"""

#: Create or replace an institution's provider of a protocol; a NULL secret keeps the stored one.
UPSERT_PROVIDER = """
INSERT INTO identity_provider (institution_id, protocol, issuer, client_id, client_secret_enc,
    email_claim, name_claim, staff_number_claim, allowed_domains, enabled)
VALUES ($1, $2, $3, $4, coalesce($5, ''), $6, $7, $8, $9, $10)
ON CONFLICT (institution_id, protocol) DO UPDATE SET
    issuer = EXCLUDED.issuer, client_id = EXCLUDED.client_id,
    client_secret_enc = coalesce($5, identity_provider.client_secret_enc),
    email_claim = EXCLUDED.email_claim, name_claim = EXCLUDED.name_claim,
    staff_number_claim = EXCLUDED.staff_number_claim,
    allowed_domains = EXCLUDED.allowed_domains, enabled = EXCLUDED.enabled, updated_at = now()
RETURNING id, (xmax = 0) AS created
"""

DELETE_PROVIDER = """
DELETE FROM identity_provider WHERE institution_id = $1 AND protocol = $2 RETURNING id
"""

INSERT_REQUEST = """
INSERT INTO sso_request (state_hash, provider_id, nonce, code_verifier, next_path, expires_at)
VALUES ($1, $2, $3, $4, $5, now() + $6::interval)
"""

#: Use a pending sign-on up: a replayed callback finds it used.
REDEEM_REQUEST = """
UPDATE sso_request SET used_at = now()
WHERE state_hash = $1 AND used_at IS NULL AND expires_at > now()
RETURNING provider_id, nonce, code_verifier, next_path
"""

IDENTITY_USER = """
SELECT s.user_id, u.is_active FROM sso_identity s JOIN app_user u ON u.id = s.user_id
WHERE s.provider_id = $1 AND s.subject = $2
"""

TOUCH_IDENTITY = """
UPDATE sso_identity SET last_login_at = now(),
    staff_number = CASE WHEN $3 = '' THEN staff_number ELSE $3 END
WHERE provider_id = $1 AND subject = $2
"""

INSERT_IDENTITY = """
INSERT INTO sso_identity (provider_id, subject, user_id, staff_number, last_login_at)
VALUES ($1, $2, $3, $4, now())
"""

ACCOUNT_BY_EMAIL = "SELECT id, is_active FROM app_user WHERE lower(email) = $1"

#: Serialises first logins of one subject, so two at once make one account.
LOCK_SUBJECT = "SELECT pg_advisory_xact_lock($1, hashtext($2))"

MEMBERSHIP_TO_AFFIRM = (
    "SELECT m.id, m.state FROM membership m JOIN app_user u ON u.id = m.user_id "
    "WHERE m.user_id = $1 AND m.institution_id = $2 AND u.institution_id = $2 "
    "ORDER BY m.id DESC LIMIT 1 FOR UPDATE OF m"
)

USER_INSTITUTION = "SELECT institution_id FROM app_user WHERE id = $1"

PASSWORD_HASH = "SELECT password_hash FROM app_user WHERE id = $1"

USER_FOR_LINK_MAIL = (
    "SELECT id, email, display_name, language FROM app_user WHERE id = $1 FOR UPDATE"
)
