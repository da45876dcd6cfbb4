"""Registry fields of an instrument (asset number, affiliation, source, customs, country code,
discipline codes, service content, achievements, county, street, postal code) and invitations
of accounts created for people who have not signed in yet."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from service.migrate import run_sql

ID = "2026-12-03T13:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "instrument registry fields, account invitations"

SQL = """
ALTER TABLE instrument
    ADD COLUMN inner_id text NOT NULL DEFAULT '' CHECK (length(inner_id) <= 100),
    ADD COLUMN belongs_type text NOT NULL DEFAULT '' CHECK (length(belongs_type) <= 100),
    ADD COLUMN belongs_name text NOT NULL DEFAULT '' CHECK (length(belongs_name) <= 200),
    ADD COLUMN source text NOT NULL DEFAULT ''
        CHECK (source IN ('', 'purchased', 'developed', 'donated', 'other')),
    ADD COLUMN customs_supervised boolean NOT NULL DEFAULT false,
    ADD COLUMN country_code text REFERENCES country(code) ON DELETE RESTRICT,
    ADD COLUMN subject_codes text[] NOT NULL DEFAULT '{}' CHECK (cardinality(subject_codes) <= 4),
    ADD COLUMN service_content text NOT NULL DEFAULT '' CHECK (length(service_content) <= 5000),
    ADD COLUMN achievement text NOT NULL DEFAULT '' CHECK (length(achievement) <= 5000),
    ADD COLUMN county text NOT NULL DEFAULT '' CHECK (length(county) <= 100),
    ADD COLUMN street text NOT NULL DEFAULT '' CHECK (length(street) <= 200),
    ADD COLUMN postal_code text NOT NULL DEFAULT '' CHECK (postal_code ~ '^([0-9]{6})?$');

-- The asset number (innerId) names one instrument of its institution: the key by which a
-- second import of the registry file updates instead of duplicating.
CREATE UNIQUE INDEX instrument_inner_id_uq ON instrument (institution_id, inner_id)
    WHERE inner_id <> '';

-- Discipline codes must be GB/T 13745 first-level codes (an array cannot carry a foreign key).
CREATE FUNCTION instrument_subject_codes_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE bad text;
BEGIN
    SELECT s INTO bad FROM unnest(NEW.subject_codes) AS s
    WHERE NOT EXISTS (SELECT 1 FROM discipline d WHERE d.code = s) LIMIT 1;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'unknown discipline code %', bad USING ERRCODE = '23503';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER instrument_subject_codes_trg BEFORE INSERT OR UPDATE OF subject_codes ON instrument
    FOR EACH ROW WHEN (cardinality(NEW.subject_codes) > 0)
    EXECUTE FUNCTION instrument_subject_codes_check();

-- Country names typed so far become GB/T 2659 codes where they name a country.
UPDATE instrument i SET country_code = c.code FROM country c
WHERE i.country_code IS NULL AND i.country <> ''
  AND (i.country = c.name_zh OR lower(i.country) = lower(c.name_en) OR upper(i.country) = c.code);

-- An account created for someone (an import, an institution admin) who sets a password by
-- following the mailed link. Only the SHA-256 of the token is kept.
CREATE TABLE account_invitation (
    id bigserial PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
    token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    invited_by bigint REFERENCES app_user(id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    accepted_at timestamptz
);
CREATE INDEX account_invitation_user_idx ON account_invitation (user_id);
"""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="service", description=DESCRIPTION)

    async def run() -> None:
        await run_sql(SQL)

    manager.add_raw(run)
    return manager
