"""Identity: verified affiliation, e-mail domains, one-time mailed tokens, address-aware login
throttling, normalised e-mail addresses."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from service.migrate import run_sql

ID = "2026-12-03T11:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "identity: memberships, e-mail domains, one-time tokens, login throttling by address"

SQL = """
-- An account states an institution (app_user.institution_id); a membership row says whether
-- that claim is proven. At most one live claim or membership per user (the partial unique
-- index); rejected and revoked rows stay as history. A membership is in force while it is
-- verified and its end (if any) lies ahead: booking rules read it in the booking's transaction
-- with FOR SHARE, so a revocation and a booking are ordered one way or the other.
CREATE TABLE membership (
    id bigserial PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
    institution_id bigint NOT NULL REFERENCES institution(id) ON DELETE CASCADE,
    state text NOT NULL DEFAULT 'claimed'
        CHECK (state IN ('claimed', 'verified', 'rejected', 'revoked')),
    method text CHECK (method IN ('email', 'admin', 'sso', 'enterprise', 'migration', 'seed')),
    claimed_at timestamptz NOT NULL DEFAULT now(),
    decided_at timestamptz,
    decided_by bigint REFERENCES app_user(id) ON DELETE SET NULL,
    reason text NOT NULL DEFAULT '' CHECK (length(reason) <= 1000),
    ends_at timestamptz,
    CHECK (state = 'claimed' OR decided_at IS NOT NULL),
    CHECK (state <> 'verified' OR method IS NOT NULL)
);
CREATE UNIQUE INDEX membership_live_uq ON membership (user_id) WHERE state IN ('claimed', 'verified');
CREATE INDEX membership_queue_idx ON membership (institution_id, claimed_at) WHERE state = 'claimed';
CREATE INDEX membership_institution_idx ON membership (institution_id, state);

-- Accounts that existed before verification keep the membership they had: recorded as
-- verified by migration, so institution admins can see (and revoke) them.
INSERT INTO membership (user_id, institution_id, state, method, claimed_at, decided_at)
SELECT id, institution_id, 'verified', 'migration', created_at, now() FROM app_user;

-- The e-mail domains an institution vouches for: a confirmation link sent to an address in
-- one of them proves membership. A domain belongs to one institution at most.
CREATE TABLE institution_email_domain (
    domain text PRIMARY KEY
        CHECK (domain ~ '^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$' AND length(domain) <= 253),
    institution_id bigint NOT NULL REFERENCES institution(id) ON DELETE CASCADE,
    added_by bigint REFERENCES app_user(id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX institution_email_domain_inst_idx ON institution_email_domain (institution_id);

-- Single-use secrets handed to a person (in a mailed link, or a browser cookie while a
-- sign-on waits to be linked). Only the SHA-256 is kept; `used_at` makes them single-use.
CREATE TABLE one_time_token (
    token_hash bytea PRIMARY KEY CHECK (length(token_hash) = 32),
    purpose text NOT NULL CHECK (purpose IN ('affiliation', 'password_reset', 'sso_pending', 'sso_link')),
    user_id bigint REFERENCES app_user(id) ON DELETE CASCADE,
    institution_id bigint REFERENCES institution(id) ON DELETE CASCADE,
    email text NOT NULL DEFAULT '',
    data jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at timestamptz,
    CHECK (expires_at > created_at)
);
CREATE INDEX one_time_token_user_idx ON one_time_token (user_id, purpose, created_at);
CREATE INDEX one_time_token_expiry_idx ON one_time_token (expires_at);

-- Failed logins now remember the client address: the throttle counts per (account, address)
-- and per address, so a stranger elsewhere cannot lock a real user out.
ALTER TABLE login_failure ADD COLUMN client_address text NOT NULL DEFAULT '';
CREATE INDEX login_failure_pair_idx ON login_failure (email_lower, client_address, failed_at);
CREATE INDEX login_failure_address_idx ON login_failure (client_address, failed_at);

-- E-mail addresses are stored NFKC-normalised and lower-cased (the application does the same
-- before every comparison), so a full-width copy of an address meets the unique index on
-- lower(email). Rows whose normal form would collide with another account are left alone.
DO $$
BEGIN
    IF current_setting('server_encoding') = 'UTF8' THEN
        UPDATE app_user u SET email = lower(normalize(u.email, NFKC))
        WHERE u.email <> lower(normalize(u.email, NFKC))
          AND NOT EXISTS (SELECT 1 FROM app_user o
                          WHERE o.id <> u.id AND lower(o.email) = lower(normalize(u.email, NFKC)));
    END IF;
END $$;
"""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="service", description=DESCRIPTION)

    async def run() -> None:
        await run_sql(SQL)

    manager.add_raw(run)
    return manager
