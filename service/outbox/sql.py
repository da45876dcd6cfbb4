"""Every SQL string of the outbox: the booking snapshot a notice carries, and the insert."""

from __future__ import annotations

#: The booking row `{b}` and what it refers to, as one jsonb object. Every statement that
#: writes a booking notice joins `snapshot_joins(b)` and stores this under "booking".
_JSON = """jsonb_build_object(
    'id', {b}.id, 'kind', {b}.kind, 'status', {b}.status, 'version', {b}.version,
    'start', {b}.starts_at, 'end', {b}.ends_at,
    'created_at', {b}.created_at, 'updated_at', {b}.updated_at,
    'purpose', {b}.purpose, 'service_way', {b}.service_way,
    'instrument_id', snap_i.id, 'instrument_zh', snap_i.name_zh, 'instrument_en', snap_i.name_en,
    'building', snap_i.building, 'room', snap_i.room,
    'institution_zh', snap_n.name_zh, 'institution_en', snap_n.name_en,
    'timezone', snap_r.timezone,
    'booker_name', snap_u.display_name, 'booker_email', snap_u.email,
    'organizer_email', snap_i.contact_email, 'organizer_name', snap_i.contact_name)"""

_JOINS = """
{join} instrument snap_i ON snap_i.id = {b}.instrument_id
{join} institution snap_n ON snap_n.id = snap_i.institution_id
{join} region snap_r ON snap_r.code = snap_n.region_code
{join} app_user snap_u ON snap_u.id = {b}.user_id"""


def snapshot_json(b: str) -> str:
    return _JSON.format(b=b)


def snapshot_joins(b: str, join: str = "JOIN") -> str:
    return _JOINS.format(b=b, join=join)


# One statement: the notice and the snapshot of its booking (none when booking_id is NULL).
ENQUEUE = f"""
INSERT INTO notification_outbox (dedupe_key, kind, user_id, booking_id, payload, due_at,
                                 next_attempt_at)
SELECT $1, $2, $3, $4,
       CASE WHEN b.id IS NULL THEN $5::jsonb
            ELSE $5::jsonb || jsonb_build_object('booking', {snapshot_json("b")}) END,
       coalesce($6, now()), coalesce($6, now())
FROM (SELECT 1) AS one
LEFT JOIN booking b ON b.id = $4
{snapshot_joins("b", "LEFT JOIN")}
ON CONFLICT (dedupe_key) DO NOTHING RETURNING id
"""
