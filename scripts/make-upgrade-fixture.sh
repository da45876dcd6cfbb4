#!/bin/sh
# Rebuild tests/fixtures/v0_1_0_demo.sql.gz: a database made by release v0.1.0 (its migrations
# and its demo data), dumped as plain SQL so any later server version loads it. Needs the git
# tag v0.1.0, this checkout's .venv and a PostgreSQL server in ADMIN_URL (trust or password in
# the URL); the test itself needs none of this.
set -eu
ADMIN_URL=${ADMIN_URL:-postgresql://postgres@127.0.0.1:5432/postgres}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
git -C "$ROOT" archive v0.1.0 --prefix=v010/ | tar -x -C "$WORK"
psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS upgrade_fixture" -c "CREATE DATABASE upgrade_fixture"
URL=$(echo "$ADMIN_URL" | sed 's#/[^/]*$#/upgrade_fixture#')
cd "$WORK/v010"
DATABASE_URL="$URL" PYTHONPATH="$WORK/v010" "$ROOT/.venv/bin/python" -m service migrate
DATABASE_URL="$URL" PYTHONPATH="$WORK/v010" "$ROOT/.venv/bin/python" -m service seed --demo
pg_dump --no-owner --no-privileges --rows-per-insert=500 "$URL" | gzip -9 > "$ROOT/tests/fixtures/v0_1_0_demo.sql.gz"
psql "$ADMIN_URL" -qc "DROP DATABASE upgrade_fixture"
