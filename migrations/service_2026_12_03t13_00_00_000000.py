"""Reference data of the product: regions of the province, the 小类 level of the instrument
classification, GB/T 13745 disciplines, GB/T 2659 countries, funding-source codes.

The rows live in `data/reference_2026_12_03.json` beside this file, frozen with it: a later
change to any list is a new migration. Rows that already exist (an upgraded installation, a
region an admin has edited) are left as they are.
"""

import json
from pathlib import Path

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from service.migrate import run_rows, run_sql

ID = "2026-12-03T13:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "reference data: regions, 6-digit classes, disciplines, countries, funding sources"

DATA = Path(__file__).resolve().parent / "data" / "reference_2026_12_03.json"

SCHEMA = """
-- Category codes are hierarchical: 2 digits 大类, 4 digits 中类, 6 digits 小类; a code starts
-- with its parent's code, so a prefix match selects a class with everything below it.
DO $$
DECLARE c record;
BEGIN
    FOR c IN SELECT conname FROM pg_constraint
             WHERE conrelid = 'category'::regclass AND contype = 'c' LOOP
        EXECUTE format('ALTER TABLE category DROP CONSTRAINT %I', c.conname);
    END LOOP;
END $$;
ALTER TABLE category
    ADD CONSTRAINT category_code_format CHECK (code ~ '^[0-9]{2}([0-9]{2}([0-9]{2})?)?$'),
    ADD CONSTRAINT category_parent_prefix CHECK (
        (parent_code IS NULL) = (length(code) = 2)
        AND (parent_code IS NULL OR (length(code) = length(parent_code) + 2
                                     AND left(code, length(parent_code)) = parent_code)));
CREATE INDEX category_code_prefix_idx ON category (code text_pattern_ops);

-- Partner regions lie outside the province (another province, a cross-border park).
ALTER TABLE region
    ADD COLUMN partner boolean NOT NULL DEFAULT false,
    ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now(),
    ADD CONSTRAINT region_latitude_range CHECK (latitude BETWEEN -90 AND 90),
    ADD CONSTRAINT region_longitude_range CHECK (longitude BETWEEN -180 AND 180);
UPDATE region SET partner = true WHERE parent_code IS NULL AND code !~ '^[0-9]{2}0000$';

CREATE TABLE discipline (
    code text PRIMARY KEY CHECK (code ~ '^[0-9]{3}$'),
    name_zh text NOT NULL,
    name_en text NOT NULL
);

CREATE TABLE country (
    code text PRIMARY KEY CHECK (code ~ '^[A-Z]{2}$'),
    name_zh text NOT NULL,
    name_en text NOT NULL
);

CREATE TABLE funding_source (
    code text PRIMARY KEY CHECK (code ~ '^[A-P]$'),
    name_zh text NOT NULL,
    name_en text NOT NULL
);
"""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="service", description=DESCRIPTION)

    async def run() -> None:
        data = json.loads(DATA.read_text(encoding="utf-8"))
        await run_sql(SCHEMA)
        await run_rows(
            """INSERT INTO region (code, name_zh, name_en, timezone, parent_code, latitude,
                                   longitude)
               VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (code) DO NOTHING""",
            [tuple(r) for r in data["regions"]],
        )
        await run_rows(
            """INSERT INTO category (code, parent_code, name_zh, name_en, sort_order)
               VALUES ($1, $2, $3, $4, $5) ON CONFLICT (code) DO NOTHING""",
            [tuple(r) for r in data["classes"] + data["subclasses"]],
        )
        tables = {"discipline": "disciplines", "country": "countries"}
        for table, key in {**tables, "funding_source": "funding_sources"}.items():
            await run_rows(
                f"INSERT INTO {table} (code, name_zh, name_en) VALUES ($1, $2, $3) "
                "ON CONFLICT (code) DO NOTHING",
                [tuple(r) for r in data[key]],
            )

    manager.add_raw(run)
    return manager
