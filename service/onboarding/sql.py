"""Every SQL string of the onboarding package."""

from __future__ import annotations

REFERENCE = """
SELECT (SELECT array_agg(code) FROM category) AS categories,
       (SELECT array_agg(code) FROM discipline) AS disciplines,
       (SELECT jsonb_agg(jsonb_build_array(code, name_zh, name_en)) FROM country) AS countries,
       (SELECT jsonb_agg(jsonb_build_array(code, name_zh, name_en)) FROM region) AS regions,
       (SELECT jsonb_object_agg(code, id) FROM institution) AS institutions
"""

INSERT_INSTITUTIONS = """
INSERT INTO institution (code, name_zh, name_en, kind, region_code)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
ON CONFLICT (code) DO NOTHING
"""

INSTITUTION_IDS = "SELECT code, id FROM institution WHERE code = ANY($1::text[])"

#: Columns written by an import, in the order of the staged records.
COLUMNS = (
    "institution_id", "inner_id", "name_zh", "name_en", "belongs_type", "belongs_name",
    "category_code", "source", "customs_supervised", "original_value", "country",
    "country_code", "manufacturer", "service_start", "instrument_type", "model", "specs",
    "functions", "subject_codes", "service_content", "achievement", "status", "sharing_rules",
    "fee_standard", "county", "street", "contact_name", "contact_phone", "contact_email",
    "building", "postal_code", "share_mode", "photo_url",
)  # fmt: skip

STAGE = f"""
CREATE TEMP TABLE import_stage ON COMMIT DROP AS
SELECT {", ".join(COLUMNS)} FROM instrument WITH NO DATA
"""

_UPDATABLE = [c for c in COLUMNS if c not in ("institution_id", "inner_id")]

#: Insert new instruments, update changed ones (by institution and asset number), leave equal
#: ones alone; returns the rows written with `created` telling which.
UPSERT = f"""
INSERT INTO instrument ({", ".join(COLUMNS)})
SELECT {", ".join(COLUMNS)} FROM import_stage
ON CONFLICT (institution_id, inner_id) WHERE inner_id <> '' DO UPDATE SET
    {", ".join(f"{c} = EXCLUDED.{c}" for c in _UPDATABLE)},
    version = instrument.version + 1, updated_at = now()
WHERE ({", ".join(f"instrument.{c}" for c in _UPDATABLE)})
      IS DISTINCT FROM ({", ".join(f"EXCLUDED.{c}" for c in _UPDATABLE)})
RETURNING id, (xmax = 0) AS created
"""

EXISTING_KEYS = """
SELECT i.institution_id, i.inner_id FROM instrument i
JOIN unnest($1::bigint[], $2::text[]) AS k(institution_id, inner_id)
  ON i.institution_id = k.institution_id AND i.inner_id = k.inner_id
"""

INSTRUMENT_IDS = """
SELECT i.id, i.institution_id, i.inner_id FROM instrument i
JOIN unnest($1::bigint[], $2::text[]) AS k(institution_id, inner_id)
  ON i.institution_id = k.institution_id AND i.inner_id = k.inner_id
"""

USERS_BY_EMAIL = """
SELECT id, lower(email) AS email, institution_id FROM app_user WHERE lower(email) = ANY($1::text[])
"""

ADD_MANAGERS = """
INSERT INTO instrument_manager (user_id, instrument_id)
SELECT * FROM unnest($1::bigint[], $2::bigint[]) ON CONFLICT DO NOTHING
"""

OPEN_INVITATION = """
SELECT v.id, v.user_id, u.email FROM account_invitation v JOIN app_user u ON u.id = v.user_id
WHERE v.token_hash = $1 AND v.accepted_at IS NULL AND v.expires_at > $2
"""

INSERT_INVITED_USER = """INSERT INTO app_user (email, display_name, institution_id, language, password_hash,
                                 is_active)
           VALUES ($1, $2, $3, $4, $5, false) RETURNING id"""

INSERT_INVITATION = """INSERT INTO account_invitation (user_id, token_hash, invited_by, expires_at)
           VALUES ($1, $2, $3, $4) RETURNING id"""

INSTITUTION_NAMES = "SELECT name_zh, name_en FROM institution WHERE id = $1"

ACTIVATE_INVITED_USER = (
    "UPDATE app_user SET password_hash = $2, is_active = true, updated_at = now() WHERE id = $1"
)

ACCEPT_INVITATION = "UPDATE account_invitation SET accepted_at = $2 WHERE id = $1"
