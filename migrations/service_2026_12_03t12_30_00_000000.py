"""Satisfaction surveys: a survey per period, single-use invitations, anonymous answers."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from service.migrate import run_sql

ID = "2026-12-03T12:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "satisfaction surveys: invitations (hashed single-use tokens) and anonymous answers"

SQL = """
-- A platform-run satisfaction survey about the use of instruments in [period_from, period_to)
-- (local dates). Answers are taken until closes_at, or until it is closed early.
CREATE TABLE survey (
    id bigserial PRIMARY KEY,
    title_zh text NOT NULL CHECK (length(title_zh) BETWEEN 1 AND 200),
    title_en text NOT NULL CHECK (length(title_en) BETWEEN 1 AND 200),
    period_from date NOT NULL,
    period_to date NOT NULL,
    opened_by bigint REFERENCES app_user(id) ON DELETE SET NULL,
    opened_at timestamptz NOT NULL DEFAULT now(),
    closes_at timestamptz NOT NULL,
    closed_at timestamptz,
    CHECK (period_to > period_from),
    CHECK (closes_at > opened_at)
);

-- One invitation per user who used an instrument in the period: only the SHA-256 of its
-- single-use token is kept (the link is in the user's mail), with the instruments they used.
-- `answered` is a flag, not a time, so an answer cannot be matched to its invitation by time.
CREATE TABLE survey_invitation (
    id bigserial PRIMARY KEY,
    survey_id bigint NOT NULL REFERENCES survey(id) ON DELETE CASCADE,
    user_id bigint NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
    token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    instruments bigint[] NOT NULL CHECK (cardinality(instruments) > 0),
    answered boolean NOT NULL DEFAULT false,
    UNIQUE (survey_id, user_id)
);

-- Anonymous answers: no user, no invitation, no time, and a random key (a sequence would give
-- the order of answering away). The instrument's institution is copied for the aggregates.
CREATE TABLE survey_answer (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    survey_id bigint NOT NULL REFERENCES survey(id) ON DELETE CASCADE,
    instrument_id bigint NOT NULL REFERENCES instrument(id) ON DELETE CASCADE,
    institution_id bigint NOT NULL REFERENCES institution(id) ON DELETE CASCADE,
    rating smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment text NOT NULL DEFAULT '' CHECK (length(comment) <= 1000)
);
CREATE INDEX survey_answer_survey_idx ON survey_answer (survey_id, institution_id, instrument_id);
"""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="service", description=DESCRIPTION)

    async def run() -> None:
        await run_sql(SQL)

    manager.add_raw(run)
    return manager
