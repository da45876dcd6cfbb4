"""SQL of evaluator assignments."""

from __future__ import annotations

ASSIGN = """
INSERT INTO evaluator_assignment (user_id, institution_id, granted_by) VALUES ($1, $2, $3)
ON CONFLICT DO NOTHING
"""

UNASSIGN = "DELETE FROM evaluator_assignment WHERE user_id = $1 AND institution_id = $2"

LIST_FOR_INSTITUTION = """
SELECT u.id AS user_id, u.email, u.display_name, u.institution_id, e.granted_at
FROM evaluator_assignment e JOIN app_user u ON u.id = e.user_id
WHERE e.institution_id = $1 ORDER BY u.id
"""

ASSIGNED_INSTITUTIONS = """
SELECT n.id, n.name_zh, n.name_en, n.region_code
FROM evaluator_assignment e JOIN institution n ON n.id = e.institution_id
WHERE e.user_id = $1 ORDER BY n.region_code, n.id
"""

EXISTS_INSTITUTION = "SELECT 1 FROM institution WHERE id = $1"
USER_ROLES = """
SELECT u.is_active,
       u.is_platform_admin
       OR EXISTS (SELECT 1 FROM institution_admin a WHERE a.user_id = u.id)
       OR EXISTS (SELECT 1 FROM instrument_manager m WHERE m.user_id = u.id) AS other_role
FROM app_user u WHERE u.id = $1
"""
