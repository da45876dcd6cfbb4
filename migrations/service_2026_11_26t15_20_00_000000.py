"""Calendar feeds: secret tokens for subscribable iCalendar feeds."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from service.migrate import run_sql

ID = "2026-11-26T15:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "calendar feeds: feed tokens"

SQL = """
-- A subscribable feed. Only the SHA-256 of the token is stored: the plain token lives in the
-- subscriber's calendar URL and is shown once. target_id names a user, an instrument or an
-- institution depending on scope, so it has no foreign key; visibility is re-checked on every
-- request against the owner's current roles.
CREATE TABLE feed_token (
    id bigserial PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
    scope text NOT NULL CHECK (scope IN ('user', 'instrument', 'institution', 'instrument_public')),
    target_id bigint NOT NULL,
    token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created_at timestamptz NOT NULL DEFAULT now(),
    rotated_at timestamptz,
    revoked_at timestamptz,
    last_used_at timestamptz
);
CREATE INDEX feed_token_user_idx ON feed_token (user_id) WHERE revoked_at IS NULL;
"""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="service", description=DESCRIPTION)

    async def run() -> None:
        await run_sql(SQL)

    manager.add_raw(run)
    return manager
