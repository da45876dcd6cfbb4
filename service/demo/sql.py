"""Every SQL statement of the demo package, named by what it does."""

from __future__ import annotations

from service.common.sql import zone_join
from service.policies.sql import effective_policy

INSERT_EVALUATION_AGENCY = """
INSERT INTO institution (code, name_zh, name_en, kind, region_code)
VALUES ('jl-eval', '吉林省科技评估中心', 'Jilin Science and Technology Evaluation Centre', 'other',
        '220100')
ON CONFLICT (code) DO UPDATE SET code = EXCLUDED.code RETURNING id
"""

INSERT_EVALUATOR = """
INSERT INTO app_user (email, display_name, institution_id, language, password_hash)
SELECT $1, '赵文静', $2, 'zh-CN', password_hash FROM app_user WHERE lower(email) = $3
ON CONFLICT ((lower(email))) DO NOTHING RETURNING id
"""

INSTRUMENTS_TO_BOOK = f"""
SELECT n.id, n.institution_id, i.region_code, r.timezone, n.share_mode, n.status,
       p.fee_internal, p.fee_external_academic, p.fee_enterprise, p.buffer_minutes, p.approval,
       ARRAY(SELECT row(weekday, opens, closes) FROM opening_hours
             WHERE instrument_id = n.id ORDER BY weekday, opens) AS weekly,
       ARRAY(SELECT user_id FROM instrument_manager WHERE instrument_id = n.id ORDER BY user_id)
       || ARRAY(SELECT user_id FROM institution_admin a WHERE a.institution_id = n.institution_id
                ORDER BY user_id) AS staff
FROM instrument n {zone_join("n", "i")}
{effective_policy("n")}
WHERE n.id = ANY($1::bigint[]) ORDER BY n.id
"""

INSERT_HISTORY_USERS = """
INSERT INTO app_user (email, display_name, institution_id, language, password_hash, created_at,
                      updated_at)
SELECT e, d, i, l, (SELECT password_hash FROM app_user WHERE lower(email) = $6), c, c
FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::timestamptz[]) AS t(e, d, i, l, c)
ON CONFLICT ((lower(email))) DO NOTHING
RETURNING id, email
"""

HISTORY_PEOPLE = """
SELECT u.id, u.email, u.institution_id, i.region_code, i.kind = 'enterprise' AS enterprise
FROM app_user u JOIN institution i ON i.id = u.institution_id WHERE u.email = ANY($1::text[])
"""

VERIFY_ALL_MEMBERSHIPS = """
INSERT INTO membership (user_id, institution_id, state, method, claimed_at, decided_at)
SELECT u.id, u.institution_id, 'verified', 'seed', u.created_at, now() FROM app_user u
WHERE NOT EXISTS (SELECT 1 FROM membership m WHERE m.user_id = u.id)
"""

INSERT_ENTERPRISE_USER = """
INSERT INTO app_user (email, display_name, institution_id, language, password_hash)
VALUES ($1, $2, $3, $4, $5) ON CONFLICT ((lower(email))) DO NOTHING RETURNING id
"""

FILL_REGISTRY_FIELDS = """
UPDATE instrument i SET
    inner_id = upper(left(n.code, 6)) || '-' || lpad(i.id::text, 6, '0'),
    source = 'purchased',
    country_code = (SELECT c.code FROM country c WHERE c.name_zh = i.country LIMIT 1),
    subject_codes = ARRAY(
        SELECT DISTINCT m.code FROM unnest(i.subject_areas) s
        JOIN unnest($2::text[], $3::text[]) AS m(name, code) ON m.name = s
        ORDER BY m.code LIMIT 4),
    service_content = i.functions
FROM institution n
WHERE n.id = i.institution_id AND i.id = ANY($1::bigint[])
"""

INSERT_EVALUATOR_ASSIGNMENT = (
    "INSERT INTO evaluator_assignment (user_id, institution_id) VALUES ($1, $2)"
)

MARK_LATE_CANCELLATIONS = """UPDATE booking_event SET data = '{"late_cancellation": true}'
           WHERE booking_id = ANY($1::bigint[]) AND action = 'cancel'"""

INSERT_EMAIL_DOMAIN = """INSERT INTO institution_email_domain (domain, institution_id) VALUES ($1, $2)
           ON CONFLICT DO NOTHING"""
INSERT_DEMO_ENTERPRISE = """INSERT INTO institution (code, name_zh, name_en, kind, region_code, credit_code)
           VALUES ('ent-demo-optics', '长春光谷精密仪器有限公司',
                   'Changchun Optics Valley Precision Instruments Co., Ltd.', 'enterprise',
                   '220100', $1)
           ON CONFLICT (code) DO NOTHING RETURNING id"""
INSERT_INSTITUTION_ADMIN = "INSERT INTO institution_admin (user_id, institution_id) VALUES ($1, $2)"

INSERT_PARTNER_REGION = """INSERT INTO region (code, name_zh, name_en, timezone, latitude, longitude, partner)
           VALUES ($1, $2, $3, $4, $5, $6, true) ON CONFLICT (code) DO NOTHING"""

NEXT_IDS = "SELECT nextval(pg_get_serial_sequence($1, 'id')) AS id FROM generate_series(1, $2)"
INSERT_SCALE_POLICY = (
    "INSERT INTO booking_policy (institution_id, fee_internal, fee_external_academic, "
    "fee_enterprise) VALUES ($1, 200, 300, 450)"
)

INSERT_INSTITUTION = """INSERT INTO institution (code, name_zh, name_en, kind, region_code, address,
               contact_name, contact_phone, contact_email)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (code) DO NOTHING"""
INSTITUTION_IDS_BY_CODE = "SELECT id, code FROM institution WHERE code = ANY($1::text[])"
DEMO_ADMIN_EXISTS = "SELECT EXISTS (SELECT 1 FROM app_user WHERE lower(email) = $1)"
INSERT_DEMO_POLICY = """INSERT INTO booking_policy (institution_id, approval, fee_internal,
                   fee_external_academic, fee_enterprise)
               VALUES ($1, 'external', $2, $3, $4) ON CONFLICT (institution_id) DO NOTHING"""
INSERT_USER = """INSERT INTO app_user (email, display_name, institution_id, language,
                   password_hash, is_platform_admin)
               VALUES ($1, $2, $3, $4, $5, $6)
               ON CONFLICT ((lower(email))) DO NOTHING RETURNING id"""
INSERT_INSTRUMENT_MANAGER = (
    "INSERT INTO instrument_manager (user_id, instrument_id) VALUES ($1, $2)"
)
