"""Every SQL statement of the notifications package."""

from __future__ import annotations

from service.common.codes import REMINDABLE, sql_in
from service.common.sql import zone_join
from service.outbox.sql import snapshot_joins, snapshot_json

#: Verdicts are committed without waiting for the WAL flush: a flush per message would cost
#: more than the SMTP exchange. A database crash can lose the last few verdicts; those rows are
#: then sent again with the same Message-ID, the documented at-least-once contract. The setting
#: is made with `set_config(…, true)` inside the verdict's own statement, i.e. for that
#: statement's implicit transaction only (the SQL form of `SET LOCAL`): it is checked when that
#: transaction commits and gone before the connection serves anything else. A session-level
#: `SET` would stay on the pooled connection (the pool does not reset sessions) and make a
#: later booking's 201 precede its WAL flush.
ASYNC_COMMIT = "(SELECT set_config('synchronous_commit', 'off', true)) AS async_commit"
OUTBOX_COLUMNS = """id, kind, user_id, booking_id, state, attempts, last_error, skip_reason,
              expired_reason, due_at, next_attempt_at, created_at, sent_at, message_id,
              failing_since, retried_at"""
#: A dead message back in the queue with a fresh attempt budget.
REQUEUE = """state = 'pending', attempts = 0, next_attempt_at = now(), last_error = '',
              failing_since = NULL, retried_at = now(), claimed_by = ''"""
OUTBOX_COUNTS = "SELECT state, count(*) AS n FROM notification_outbox GROUP BY state"
DUE_NOW = """SELECT count(*) FROM notification_outbox
           WHERE state = 'pending' AND next_attempt_at <= now()"""
DEAD_PAGE = f"""SELECT {OUTBOX_COLUMNS} FROM notification_outbox WHERE state = 'dead'
            ORDER BY id DESC LIMIT $1 OFFSET $2"""
DEAD_KINDS = "SELECT DISTINCT kind FROM notification_outbox WHERE state = 'dead' ORDER BY kind"
RETRY_ONE = f"""UPDATE notification_outbox SET {REQUEUE}
            WHERE id = $1 AND state = 'dead' RETURNING {OUTBOX_COLUMNS}"""
CIRCUIT_CLOSED = "SELECT state = 'closed' FROM mail_circuit WHERE id = 1"
OUTBOX_STATE = "SELECT state FROM notification_outbox WHERE id = $1"

#: The user's bookings that maintenance cancelled, still to come, with the displacement notice.
DISPLACED_BOOKINGS = """
SELECT b.id, b.instrument_id, b.starts_at, b.ends_at, o.payload
FROM notification_outbox o JOIN booking b ON b.id = o.booking_id
WHERE o.user_id = $1 AND o.kind = 'booking_displaced' AND b.status = 'cancelled'
  AND b.starts_at > $2
ORDER BY b.starts_at LIMIT 10
"""

RETRY_MATCHING = f"""
UPDATE notification_outbox SET {REQUEUE}
WHERE state = 'dead'
  AND ($1::text IS NULL OR kind = $1)
  AND ($2::timestamptz IS NULL OR created_at >= $2)
  AND ($3::timestamptz IS NULL OR created_at < $3)
  AND ($4::text IS NULL OR strpos(lower(last_error), lower($4)) > 0)
"""

# The local day of each booking starting within the window, and what touches it.
TOUCHED = f"""
WITH soon AS (
    SELECT b.id, b.user_id, b.instrument_id, b.calendar_key, r.timezone,
           (b.starts_at AT TIME ZONE r.timezone)::date AS day
    FROM booking b
    JOIN instrument i ON i.id = b.instrument_id
    {zone_join("i", "s")}
    WHERE b.kind = 'booking' AND b.status IN {sql_in(REMINDABLE)}
      AND b.starts_at > $1 AND b.starts_at <= $1 + make_interval(days => $2)
)
SELECT soon.id AS booking_id, soon.user_id, soon.timezone, 'block' AS what, m.id AS ref,
       m.starts_at, m.ends_at, m.purpose AS reason, NULL::time AS opens, NULL::time AS closes
FROM soon JOIN booking m
  ON m.calendar_key = soon.calendar_key AND m.kind = 'maintenance' AND m.status = 'confirmed'
 AND m.starts_at < (soon.day + 1)::timestamp AT TIME ZONE soon.timezone
 AND m.ends_at > soon.day::timestamp AT TIME ZONE soon.timezone
UNION ALL
SELECT soon.id, soon.user_id, soon.timezone, 'closure', c.id, NULL, NULL, c.reason, c.opens,
       c.closes
FROM soon JOIN calendar_exception c ON c.instrument_id = soon.instrument_id AND c.day = soon.day
ORDER BY 1, 4, 5
"""

OPEN = """
UPDATE mail_circuit SET state = 'open', opened_at = $1, probe_at = $2, failed_probes = 0,
                        last_error = $3
WHERE id = 1 AND state = 'closed' RETURNING opened_at
"""

CLAIM_PROBE = """
UPDATE mail_circuit SET probe_at = $1 + $2::interval
WHERE id = 1 AND state = 'open' AND probe_at <= $1 RETURNING failed_probes
"""

PROBE_FAILED = """
UPDATE mail_circuit SET failed_probes = failed_probes + 1, probe_at = $1, last_error = $2
WHERE id = 1 AND state = 'open'
"""

CLOSE = """
WITH outage AS (SELECT opened_at FROM mail_circuit WHERE id = 1 AND state = 'open' FOR UPDATE)
UPDATE mail_circuit c SET state = 'closed', closed_at = $1, opened_at = NULL, probe_at = NULL
FROM outage WHERE c.id = 1 AND c.state = 'open'
RETURNING outage.opened_at, c.failed_probes
"""

WAITING = "SELECT count(*) FROM notification_outbox WHERE state = 'pending'"

STATUS = """
SELECT c.state, c.opened_at, c.failed_probes, c.last_error, c.probe_at,
       (SELECT count(*) FROM notification_outbox WHERE state = 'pending') AS undelivered,
       (SELECT min(due_at) FROM notification_outbox
        WHERE state = 'pending' AND due_at <= $1) AS oldest
FROM mail_circuit c WHERE c.id = 1
"""

CLAIM = """
WITH due AS (
    SELECT id FROM notification_outbox
    WHERE state = 'pending' AND next_attempt_at <= $1
    ORDER BY next_attempt_at, id
    LIMIT $2
    FOR UPDATE SKIP LOCKED
), claimed AS (
    UPDATE notification_outbox o
    SET next_attempt_at = $3, attempts = o.attempts + 1, claimed_by = $4
    FROM due WHERE o.id = due.id
    RETURNING o.id, o.kind, o.payload, o.attempts, o.failing_since, o.user_id, o.booking_id
)
SELECT c.id, c.kind, c.payload, c.attempts, c.failing_since, u.email, u.display_name,
       u.language, u.is_active, u.reminder_lead_minutes, b.status, b.version, b.starts_at
FROM claimed c
JOIN app_user u ON u.id = c.user_id
LEFT JOIN booking b ON b.id = c.booking_id
ORDER BY c.id
"""

SENT = f"""
UPDATE notification_outbox
SET state = 'sent', sent_at = greatest($2, clock_timestamp()), message_id = $3, last_error = '',
    failing_since = NULL, claimed_by = ''
FROM {ASYNC_COMMIT}
WHERE id = $1 AND state = 'pending'
"""

FAILED = f"""
UPDATE notification_outbox
SET state = $2, next_attempt_at = $3, last_error = $4, failing_since = coalesce(failing_since, $5),
    claimed_by = ''
FROM {ASYNC_COMMIT}
WHERE id = $1 AND state = 'pending'
"""

#: Rows a mail outage kept from being tried: back in the queue, due at once, no attempt spent.
RELEASE = """
UPDATE notification_outbox
SET attempts = attempts - 1, next_attempt_at = $2, last_error = $3, claimed_by = ''
WHERE id = ANY($1::bigint[]) AND state = 'pending'
"""

DUE = "SELECT count(*) FROM notification_outbox WHERE state = 'pending' AND next_attempt_at <= $1"

# The dedupe key is rules.reminder_key(booking_id, lead, version), spelled in SQL; the booking
# is snapshotted as for every notice (`snapshot`).
QUEUE = f"""
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
WHERE b.kind = 'booking' AND b.status IN {sql_in(REMINDABLE)}
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


#: Rows of a claim that will not be sent: not an attempt, so the claim's count is undone. A
#: row that cannot even be read (a malformed payload) is dead at once, for an admin to see.
SETTLE_CLAIMED = """
UPDATE notification_outbox o
SET state = s.state, expired_reason = s.expired,
    skip_reason = CASE WHEN s.state = 'dead' THEN o.skip_reason ELSE s.reason END,
    last_error = CASE WHEN s.state = 'dead' THEN s.reason ELSE o.last_error END,
    attempts = o.attempts - 1, claimed_by = ''
FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[]) AS s(id, state, expired, reason)
WHERE o.id = s.id
"""
