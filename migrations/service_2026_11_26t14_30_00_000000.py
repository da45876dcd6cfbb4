"""Foundation: regions, institutions, categories, accounts, instruments."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from service.migrate import run_sql

ID = "2026-11-26T14:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "foundation: regions, institutions, categories, accounts, instruments"

SQL = """
CREATE TABLE region (
    code text PRIMARY KEY CHECK (code ~ '^[0-9A-Z][0-9A-Z-]{1,15}$'),
    name_zh text NOT NULL CHECK (length(name_zh) BETWEEN 1 AND 100),
    name_en text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 100),
    timezone text NOT NULL,
    parent_code text REFERENCES region(code) ON DELETE RESTRICT,
    latitude double precision NOT NULL DEFAULT 0,
    longitude double precision NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE institution (
    id bigserial PRIMARY KEY,
    code text NOT NULL UNIQUE CHECK (code ~ '^[a-z0-9][a-z0-9-]{1,39}$'),
    name_zh text NOT NULL CHECK (length(name_zh) BETWEEN 1 AND 200),
    name_en text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 200),
    kind text NOT NULL CHECK (kind IN ('university', 'research_institute', 'hospital', 'enterprise', 'other')),
    region_code text NOT NULL REFERENCES region(code) ON DELETE RESTRICT,
    address text NOT NULL DEFAULT '',
    contact_name text NOT NULL DEFAULT '',
    contact_phone text NOT NULL DEFAULT '',
    contact_email text NOT NULL DEFAULT '',
    active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX institution_region_idx ON institution (region_code);

CREATE TABLE category (
    code text PRIMARY KEY CHECK (code ~ '^[0-9]{2}([0-9]{2})?$'),
    parent_code text REFERENCES category(code) ON DELETE RESTRICT,
    name_zh text NOT NULL,
    name_en text NOT NULL,
    sort_order integer NOT NULL DEFAULT 0,
    CHECK ((parent_code IS NULL) = (length(code) = 2))
);

CREATE TABLE app_user (
    id bigserial PRIMARY KEY,
    email text NOT NULL CHECK (email ~ '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$' AND length(email) <= 254),
    display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
    institution_id bigint NOT NULL REFERENCES institution(id) ON DELETE RESTRICT,
    language text NOT NULL DEFAULT 'zh-CN' CHECK (language IN ('zh-CN', 'en')),
    password_hash text NOT NULL,
    is_active boolean NOT NULL DEFAULT true,
    is_platform_admin boolean NOT NULL DEFAULT false,
    reminder_lead_minutes integer[] NOT NULL DEFAULT '{1440,60}',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX app_user_email_uq ON app_user (lower(email));
CREATE INDEX app_user_institution_idx ON app_user (institution_id);

CREATE TABLE institution_admin (
    user_id bigint NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
    institution_id bigint NOT NULL REFERENCES institution(id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, institution_id)
);

CREATE TABLE user_session (
    id_hash bytea PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
    csrf_token text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);
CREATE INDEX user_session_user_idx ON user_session (user_id);

CREATE TABLE api_token (
    id bigserial PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    token_hash bytea NOT NULL UNIQUE,
    prefix text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    expires_at timestamptz,
    revoked_at timestamptz
);
CREATE INDEX api_token_user_idx ON api_token (user_id);

CREATE TABLE login_failure (
    id bigserial PRIMARY KEY,
    email_lower text NOT NULL,
    failed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failure_email_idx ON login_failure (email_lower, failed_at);

CREATE TABLE instrument (
    id bigserial PRIMARY KEY,
    institution_id bigint NOT NULL REFERENCES institution(id) ON DELETE RESTRICT,
    name_zh text NOT NULL CHECK (length(name_zh) BETWEEN 1 AND 200),
    name_en text NOT NULL DEFAULT '' CHECK (length(name_en) <= 200),
    category_code text NOT NULL REFERENCES category(code) ON DELETE RESTRICT,
    original_value numeric(12, 2) NOT NULL CHECK (original_value >= 0),
    manufacturer text NOT NULL DEFAULT '',
    model text NOT NULL DEFAULT '',
    country text NOT NULL DEFAULT '',
    service_start date,
    instrument_type text NOT NULL DEFAULT 'general' CHECK (instrument_type IN ('general', 'special')),
    specs text NOT NULL DEFAULT '',
    functions text NOT NULL DEFAULT '',
    subject_areas text[] NOT NULL DEFAULT '{}',
    building text NOT NULL DEFAULT '',
    room text NOT NULL DEFAULT '',
    contact_name text NOT NULL DEFAULT '',
    contact_phone text NOT NULL DEFAULT '',
    contact_email text NOT NULL DEFAULT '',
    fee_standard text NOT NULL DEFAULT '',
    sharing_rules text NOT NULL DEFAULT '',
    share_mode text NOT NULL DEFAULT 'external' CHECK (share_mode IN ('internal', 'external', 'none')),
    status text NOT NULL DEFAULT 'normal' CHECK (status IN ('normal', 'standby', 'remote', 'occasional_fault', 'frequent_fault', 'awaiting_repair', 'awaiting_scrap')),
    photo_url text NOT NULL DEFAULT '',
    search_text text NOT NULL DEFAULT '',
    retired_at timestamptz,
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE FUNCTION instrument_search_text() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_text := lower(concat_ws(' ', NEW.name_zh, NEW.name_en, NEW.model, NEW.manufacturer,
                                       NEW.specs, NEW.functions, array_to_string(NEW.subject_areas, ' ')));
    RETURN NEW;
END $$;
CREATE TRIGGER instrument_search_text_trg BEFORE INSERT OR UPDATE ON instrument
    FOR EACH ROW EXECUTE FUNCTION instrument_search_text();
CREATE INDEX instrument_institution_idx ON instrument (institution_id);
CREATE INDEX instrument_category_idx ON instrument (category_code);

CREATE TABLE instrument_manager (
    user_id bigint NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
    instrument_id bigint NOT NULL REFERENCES instrument(id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, instrument_id)
);
CREATE INDEX instrument_manager_instrument_idx ON instrument_manager (instrument_id);
"""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="service", description=DESCRIPTION)

    async def run() -> None:
        await run_sql(SQL)

    manager.add_raw(run)
    return manager
