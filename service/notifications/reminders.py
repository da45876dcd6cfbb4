"""Queue reminders: one outbox row per booking, lead time and booking version, when due.

Nothing is queued ahead of time, so nothing has to be withdrawn when a booking moves: the row
for the old version simply no longer matches the booking and expires at delivery. A tick
after downtime queues what became due meanwhile; for each booking only the nearest lead time
that has come is queued (a booking made an hour before it starts gets the 1 h reminder, not
the 24 h one too).
"""

from __future__ import annotations

from datetime import datetime

from service.common.jobs import JobResult
from service.db import Database
from service.outbox.sql import snapshot_joins, snapshot_json
from service.settings import Settings

# The dedupe key is rules.reminder_key(booking_id, lead, version), spelled in SQL; the booking
# is snapshotted as for every notice (`snapshot`).
_QUEUE = f"""
WITH horizon AS (
    SELECT coalesce(max(l.lead), 0) AS minutes
    FROM app_user u, unnest(u.reminder_lead_minutes) AS l(lead)
)
INSERT INTO notification_outbox (dedupe_key, kind, user_id, booking_id, payload, due_at,
                                 next_attempt_at)
SELECT 'reminder:' || b.id || ':' || l.lead || ':v' || b.version, 'reminder', b.user_id, b.id,
       jsonb_build_object('lead_minutes', l.lead, 'version', b.version,
                          'booking', {snapshot_json("b")}),
       b.starts_at - make_interval(mins => l.lead), $1
FROM booking b
JOIN app_user u ON u.id = b.user_id AND u.is_active
{snapshot_joins("b")}
CROSS JOIN LATERAL unnest(u.reminder_lead_minutes) AS l(lead)
WHERE b.kind = 'booking' AND b.status IN ('pending', 'confirmed')
  AND b.starts_at > $1
  AND b.starts_at <= $1 + make_interval(mins => (SELECT minutes FROM horizon))
  AND l.lead > 0
  AND b.starts_at - make_interval(mins => l.lead) <= $1
  AND NOT EXISTS (
      SELECT 1 FROM unnest(u.reminder_lead_minutes) AS n(lead)
      WHERE n.lead > 0 AND n.lead < l.lead AND b.starts_at - make_interval(mins => n.lead) <= $1
  )
ON CONFLICT (dedupe_key) DO NOTHING
"""


async def queue_reminders(db: Database, settings: Settings, now: datetime) -> JobResult:
    """Safe to run concurrently: the unique dedupe key makes a second insert a no-op."""
    status = await db.execute(_QUEUE, now)
    result = JobResult()
    result.add("queued", int(status.rsplit(" ", 1)[-1]))
    return result
