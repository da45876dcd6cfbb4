"""SQL of the audit log."""

INSERT_EVENT = """
INSERT INTO audit_event (action, actor_user_id, subject_user_id, institution_id,
                         client_address, detail)
VALUES ($1, $2, $3, $4, $5, $6)
RETURNING id
"""

# $1 action prefix or NULL, $2 institution or NULL, $3 subject user or NULL, $4 actor or NULL,
# $5 since or NULL, $6 until or NULL; then LIMIT/OFFSET.
_FILTER = """
WHERE ($1::text IS NULL OR e.action = $1 OR e.action LIKE $1 || '.%')
  AND ($2::bigint IS NULL OR e.institution_id = $2)
  AND ($3::bigint IS NULL OR e.subject_user_id = $3)
  AND ($4::bigint IS NULL OR e.actor_user_id = $4)
  AND ($5::timestamptz IS NULL OR e.occurred_at >= $5)
  AND ($6::timestamptz IS NULL OR e.occurred_at < $6)
"""

LIST_EVENTS = f"""
SELECT e.id, e.occurred_at, e.action, e.actor_user_id, a.email AS actor_email,
       e.subject_user_id, s.email AS subject_email, e.institution_id, e.client_address, e.detail
FROM audit_event e
LEFT JOIN app_user a ON a.id = e.actor_user_id
LEFT JOIN app_user s ON s.id = e.subject_user_id
{_FILTER}
ORDER BY e.occurred_at DESC, e.id DESC
LIMIT $7 OFFSET $8
"""

COUNT_EVENTS = f"SELECT count(*) FROM audit_event e {_FILTER}"
