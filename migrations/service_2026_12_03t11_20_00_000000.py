"""Enterprises (统一社会信用代码, merging duplicates) and institutional single sign-on."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from service.migrate import run_sql

ID = "2026-12-03T11:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "enterprises: credit codes, merges; single sign-on: providers, identities, logins"

SQL = """
-- GB 32100-2015: 18 characters of 0-9 and A-Y without I, O, S, V, Z; the 18th is the check
-- character over the first 17 (weights 3^(i-1) mod 31).
CREATE FUNCTION uscc_is_valid(code text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT code ~ '^[0-9A-HJ-NPQRTUWXY]{18}$'
       AND (31 - (SELECT sum((strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(code, i, 1)) - 1)
                             * (ARRAY[1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28])[i])
                  FROM generate_series(1, 17) AS i) % 31) % 31
           = strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(code, 18, 1)) - 1
$$;

ALTER TABLE institution ADD COLUMN credit_code text CHECK (credit_code IS NULL OR uscc_is_valid(credit_code));
CREATE UNIQUE INDEX institution_credit_code_uq ON institution (credit_code) WHERE credit_code IS NOT NULL;
-- A merged duplicate stays (history refers to it) but is inactive and points at the survivor.
ALTER TABLE institution ADD COLUMN merged_into bigint REFERENCES institution(id) ON DELETE RESTRICT;
ALTER TABLE institution ADD CONSTRAINT institution_merged_inactive
    CHECK (merged_into IS NULL OR (NOT active AND merged_into <> id));

-- An institution's own identity provider. The client secret is stored encrypted under a key
-- derived from SECRET_KEY and is never returned by the API.
CREATE TABLE identity_provider (
    id bigserial PRIMARY KEY,
    institution_id bigint NOT NULL REFERENCES institution(id) ON DELETE CASCADE,
    protocol text NOT NULL CHECK (protocol IN ('oidc', 'cas')),
    issuer text NOT NULL CHECK (issuer ~ '^https?://' AND length(issuer) <= 500),
    client_id text NOT NULL DEFAULT '' CHECK (length(client_id) <= 200),
    client_secret_enc text NOT NULL DEFAULT '',
    email_claim text NOT NULL DEFAULT 'email' CHECK (length(email_claim) BETWEEN 1 AND 100),
    staff_number_claim text NOT NULL DEFAULT '' CHECK (length(staff_number_claim) <= 100),
    name_claim text NOT NULL DEFAULT 'name' CHECK (length(name_claim) <= 100),
    allowed_domains text[] NOT NULL DEFAULT '{}',
    enabled boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (institution_id, protocol),
    CHECK (protocol = 'cas' OR client_id <> '')
);

-- One local account per subject of a provider, and one subject per account and provider.
CREATE TABLE sso_identity (
    provider_id bigint NOT NULL REFERENCES identity_provider(id) ON DELETE CASCADE,
    subject text NOT NULL CHECK (length(subject) BETWEEN 1 AND 255),
    user_id bigint NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
    staff_number text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    last_login_at timestamptz,
    PRIMARY KEY (provider_id, subject),
    UNIQUE (provider_id, user_id)
);

-- A sign-on in flight: the state (hashed), the nonce and the PKCE verifier of one
-- authorization request. Used once: a replayed callback finds used_at set.
CREATE TABLE sso_request (
    state_hash bytea PRIMARY KEY CHECK (length(state_hash) = 32),
    provider_id bigint NOT NULL REFERENCES identity_provider(id) ON DELETE CASCADE,
    nonce text NOT NULL,
    code_verifier text NOT NULL,
    next_path text NOT NULL DEFAULT '/',
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at timestamptz
);
CREATE INDEX sso_request_expiry_idx ON sso_request (expires_at);
"""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="service", description=DESCRIPTION)

    async def run() -> None:
        await run_sql(SQL)

    manager.add_raw(run)
    return manager
