"""Every SQL string of the registry package."""

from __future__ import annotations

from service.common.sql import zone_join

#: One instrument with everything its registry record needs; `$1` institution ids (NULL: all),
#: retired instruments are not in the registry.
CATALOGUE = f"""
SELECT i.id, i.institution_id, n.code AS ins_code, n.name_zh AS ins_name, n.name_en AS ins_name_en,
       n.kind AS ins_kind, i.inner_id, i.name_zh, i.name_en, i.belongs_type, i.belongs_name,
       i.category_code, i.source, i.customs_supervised, i.original_value, i.country_code,
       i.manufacturer, i.service_start, i.instrument_type, i.model, i.specs, i.functions,
       i.subject_codes, i.service_content, i.achievement, i.status, i.sharing_rules,
       i.fee_standard, r.name_zh AS city, coalesce(p.name_zh, r.name_zh) AS province, i.county,
       i.street, i.contact_name, i.contact_phone, i.contact_email, i.building, i.room,
       i.postal_code, i.share_mode, i.photo_url
FROM instrument i
{zone_join("i", "n")}
LEFT JOIN region p ON p.code = r.parent_code
WHERE i.retired_at IS NULL AND ($1::bigint[] IS NULL OR i.institution_id = ANY($1::bigint[]))
ORDER BY n.code, i.inner_id, i.id
"""

#: Completed usage sessions in the registry's service-record fields. `{where}` is the caller's
#: visibility condition over `instrument i` / `institution n`; `$1`/`$2` local start dates.
SERVICE_RECORDS = f"""
SELECT n.code AS ins_code, i.inner_id, s.amount, s.started_at, s.ended_at, s.service_way,
       s.samples, s.is_external, b.purpose, u.display_name, u.email AS user_email,
       ui.name_zh AS unit, r.timezone, sat.rating, i.service_content
FROM usage_session s
JOIN instrument i ON i.id = s.instrument_id
{zone_join("i", "n")}
JOIN institution ui ON ui.id = s.user_institution_id
LEFT JOIN booking b ON b.id = s.booking_id
LEFT JOIN app_user u ON u.id = s.user_id
LEFT JOIN satisfaction sat ON sat.booking_id = s.booking_id
WHERE s.ended_at IS NOT NULL AND {{where}}
  AND s.started_at >= $1::date::timestamp AT TIME ZONE r.timezone
  AND s.started_at < $2::date::timestamp AT TIME ZONE r.timezone
ORDER BY s.started_at, s.id
"""
