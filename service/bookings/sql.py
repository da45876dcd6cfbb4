"""Every SQL statement of the booking package, and the fragments its dynamic queries are
assembled from (the booking columns, the zone join, the calendar an instrument shares).

Queries for the claims on an instrument's calendar use `same_calendar` (`availability.sql`),
the expression of the exclusion constraint, so they are answered from its GiST index.
"""

from __future__ import annotations

from service.accounts.sql import in_force_of
from service.availability.sql import SAME_CALENDAR
from service.common.codes import CANCELLABLE, OCCUPYING, REMINDABLE, USED_OR_MISSED, sql_in
from service.common.sql import zone_join
from service.outbox.sql import snapshot_joins, snapshot_json
from service.policies import sql as policies_sql

#: The statuses that hold time on a calendar, as SQL.
OCCUPYING_SQL = sql_in(OCCUPYING)

COLUMNS = """b.id, b.kind, b.instrument_id, b.user_id, b.status, b.starts_at, b.ends_at,
    b.occupied_until, b.purpose, b.service_way, b.series_id, b.booker_institution_id,
    b.booker_region_code, b.is_external, b.is_cross_region, b.fee_class, b.fee_per_hour,
    b.estimated_cost, b.approval_deadline, b.late_cancellation, b.version, b.created_at,
    b.updated_at, b.booked_by"""

#: The columns of a maintenance block.
BLOCK_COLUMNS = """b.id, b.instrument_id, b.starts_at, b.ends_at, b.purpose, b.status, b.created_at,
    b.version, b.series_id"""

#: The zone of instrument `n`: its institution `i` and that institution's region `r`.
ZONE_JOIN = zone_join("n", "i")

INSTRUMENT_FACTS = f"""
SELECT n.id, n.institution_id, n.status, n.share_mode, n.retired_at IS NOT NULL AS retired,
       r.code AS region_code, r.timezone
FROM instrument n {ZONE_JOIN}
WHERE n.id = $1
"""

#: The booker's membership of their stated institution, when in force, locked FOR SHARE: a
#: revocation (which updates the row) waits for the booking's commit, and a booking that
#: starts after the revocation committed re-reads the row and finds it no longer verified.
MEMBERSHIP_FOR_SHARE = """
    SELECT true AS ok FROM membership m
    WHERE m.user_id = {user} AND m.institution_id = {institution} AND m.state = 'verified'
      AND (m.ends_at IS NULL OR m.ends_at > {now})
    FOR SHARE OF m"""

# Instrument, effective policy (the instrument's row, else its institution's) and the booker's
# institution kind in one round trip: this runs on every booking request.
CONTEXT = f"""
SELECT n.id, n.institution_id, n.status, n.share_mode, n.retired_at IS NOT NULL AS retired,
       r.code AS region_code, r.timezone, {policies_sql.POLICY_COLUMNS},
       (SELECT kind FROM institution WHERE id = $2) AS booker_kind,
       coalesce(ms.ok, false) AS booker_verified,
       ARRAY(SELECT row(weekday, opens, closes) FROM opening_hours WHERE instrument_id = n.id) AS weekly,
       ARRAY(SELECT row(day, opens, closes) FROM calendar_exception
             WHERE instrument_id = n.id AND day BETWEEN $3 AND $4 ORDER BY id) AS exceptions
FROM instrument n {ZONE_JOIN}
{policies_sql.effective_policy("n")}
LEFT JOIN LATERAL ({MEMBERSHIP_FOR_SHARE.format(user="$5", institution="$2", now="$6")}) ms ON true
WHERE n.id = $1
"""

#: The booker's bookings that count against their limits, in two index-friendly parts.
#: Active ones through the exclusion constraint's partial GiST index (this instrument's
#: calendar, then the instrument itself, as limits are per instrument): those
#: near the window, and every one ending after `now`, for the future counts. Used (completed)
#: and missed (no-show) ones near the window through `booking_user_idx` (this user, a bounded
#: range of starts). A completed booking counts up to its check-out (the rest of the slot was
#: given back); a no-show in full (nobody else could use the time).
USER_LOAD = f"""
SELECT b.starts_at, b.ends_at, true AS active
FROM booking b
WHERE {SAME_CALENDAR} AND b.instrument_id = $1 AND b.user_id = $2 AND b.kind = 'booking'
  AND b.status IN {OCCUPYING_SQL} AND b.id <> ALL($6::bigint[])
  AND (b.ends_at > $5 OR (b.starts_at < $4 AND b.ends_at > $3))
UNION ALL
SELECT b.starts_at,
       CASE WHEN b.status = 'completed' THEN greatest(b.starts_at, least(b.ends_at, coalesce(
           (SELECT s.ended_at FROM usage_session s WHERE s.booking_id = b.id), b.ends_at)))
            ELSE b.ends_at END,
       false
FROM booking b
WHERE b.user_id = $2 AND b.starts_at >= $3 - $7::interval AND b.starts_at < $4
  AND b.instrument_id = $1 AND b.kind = 'booking' AND b.status IN {sql_in(USED_OR_MISSED)}
  AND b.ends_at > $3 AND b.id <> ALL($6::bigint[])
"""

INSERT_EVENT = """INSERT INTO booking_event (booking_id, actor_user_id, action, from_status, to_status,
                                      reason, data) VALUES ($1, $2, $3, $4, $5, $6, $7)"""

#: Who decides requests: the instrument's managers, else its institution's admins.
MANAGER_IDS = """SELECT user_id FROM instrument_manager WHERE instrument_id = $1
           UNION
           SELECT a.user_id FROM institution_admin a JOIN instrument n ON n.institution_id = a.institution_id
           WHERE n.id = $1 AND NOT EXISTS (SELECT 1 FROM instrument_manager WHERE instrument_id = $1)"""

LOCK_BOOKING = (
    f"SELECT {COLUMNS}, n.institution_id AS instrument_institution_id "
    "FROM booking b JOIN instrument n ON n.id = b.instrument_id WHERE b.id = $1 FOR UPDATE OF b"
)

# --- closures (a closure may displace bookings, hence here) ---

CLOSURES = (
    "SELECT * FROM calendar_exception WHERE instrument_id = $1 "
    "AND ($2::date IS NULL OR day >= $2) AND ($3::date IS NULL OR day <= $3) "
    "ORDER BY day, id LIMIT 1000"
)

#: Active bookings touching a local day, locked: those a closure of that day may displace.
BOOKINGS_ON_DAY_FOR_UPDATE = f"""SELECT {COLUMNS} FROM booking b
            WHERE b.instrument_id = $1 AND b.kind = 'booking' AND b.status IN {OCCUPYING_SQL}
              AND b.starts_at < $3 AND b.ends_at > $2
            ORDER BY b.starts_at FOR UPDATE OF b"""

WEEKLY_HOURS = "SELECT weekday, opens, closes FROM opening_hours WHERE instrument_id = $1"

EXCEPTIONS_BETWEEN = (
    "SELECT day, opens, closes, reason FROM calendar_exception "
    "WHERE instrument_id = $1 AND day BETWEEN $2 AND $3 ORDER BY id"
)

CLOSURE_ON_DAY = "SELECT id FROM calendar_exception WHERE instrument_id = $1 AND day = $2"

INSERT_CLOSURE = (
    "INSERT INTO calendar_exception (instrument_id, day, opens, closes, reason) "
    "VALUES ($1, $2, $3, $4, $5) RETURNING *"
)

DELETE_CLOSURE = "DELETE FROM calendar_exception WHERE id = $1 AND instrument_id = $2 RETURNING id"

# --- lifecycle ---

#: The no-show grace of the booking's instrument in minutes: its own policy, else its
#: institution's default, else the built-in 30 minutes.

NO_SHOW_GRACE = """coalesce(
    (SELECT p.no_show_grace_minutes FROM booking_policy p WHERE p.instrument_id = b.instrument_id),
    (SELECT p.no_show_grace_minutes FROM booking_policy p JOIN instrument n
        ON p.institution_id = n.institution_id WHERE n.id = b.instrument_id),
    30)"""

# --- queries ---

#: Instruments the caller manages directly or through the institutions they administer.

MANAGED_BY_CALLER = """(b.instrument_id = ANY($1::bigint[])
    OR b.instrument_id IN (SELECT id FROM instrument WHERE institution_id = ANY($2::bigint[]))
    OR $3)"""

# --- usage ---

#: The columns of a usage session.
SESSION_COLUMNS = """id, instrument_id, booking_id, user_id, user_institution_id, user_region_code,
    is_external, is_cross_region, affiliation_verified, started_at, ended_at, service_way, samples,
    amount, note, recorded_by"""

LOCK_BOOKING_FOR_USAGE = """
SELECT b.id, b.user_id, b.status, b.service_way, b.booker_institution_id, b.booker_region_code,
       EXISTS (SELECT 1 FROM usage_session s WHERE s.booking_id = b.id) AS used
FROM booking b WHERE b.id = $1 AND b.instrument_id = $2 AND b.kind = 'booking' FOR UPDATE
"""

INSERT_SESSION = f"""
INSERT INTO usage_session (instrument_id, booking_id, user_id, user_institution_id,
    user_region_code, is_external, is_cross_region, started_at, ended_at, service_way, samples,
    amount, note, recorded_by, affiliation_verified)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
RETURNING {SESSION_COLUMNS}
"""

#: Intervals of the instrument's sessions overlapping `[$2, $3)`: what a 409 shows (never who).

OVERLAPPING_SESSIONS = """
SELECT started_at AS start, ended_at AS end FROM usage_session
WHERE int8range(instrument_id, instrument_id, '[]') && int8range($1, $1, '[]')
  AND tstzrange(started_at, coalesce(ended_at, 'infinity'), '[)') && tstzrange($2, $3, '[)')
  AND id IS DISTINCT FROM $4
ORDER BY started_at LIMIT 10
"""

USER_BY_ID_OR_EMAIL = """
SELECT u.id, u.institution_id, i.region_code FROM app_user u
JOIN institution i ON i.id = u.institution_id
WHERE u.id = $1 OR ($1 IS NULL AND lower(u.email) = lower($2))
"""

# --- writes ---

#: The notices of a new booking: the booker hears of the outcome;
#: for a pending request each decider (the instrument's managers, else its institution's
#: admins; see `store.manager_ids`) gets an `approval_needed`. Each carries the snapshot of the
#: new booking that `outbox.store.enqueue` would store (same fragment, built once per
#: booking), so the mail says what was true at this insert, whatever happens to the booking
#: before it goes out. Measured on the statement alone: ~0.05–0.1 ms more than before.

ANNOUNCE = f"""
    INSERT INTO notification_outbox (dedupe_key, kind, user_id, booking_id, payload)
    SELECT n.kind || ':' || b.id || ':v' || b.version || n.suffix, n.kind, n.user_id, b.id,
           jsonb_build_object('booking', snap.j)
    FROM b CROSS JOIN (SELECT {snapshot_json("b")} AS j FROM b {snapshot_joins("b")}) AS snap
    CROSS JOIN LATERAL (
        SELECT CASE WHEN b.status = 'pending' THEN 'booking_requested'
                    ELSE 'booking_confirmed' END AS kind, b.user_id, '' AS suffix
        UNION ALL
        SELECT 'approval_needed', d.user_id, ':u' || d.user_id
        FROM (SELECT m.user_id FROM instrument_manager m WHERE m.instrument_id = b.instrument_id
              UNION
              SELECT a.user_id FROM institution_admin a JOIN instrument i
                  ON i.institution_id = a.institution_id
              WHERE i.id = b.instrument_id AND NOT EXISTS (
                  SELECT 1 FROM instrument_manager x WHERE x.instrument_id = b.instrument_id)
             ) d
        WHERE b.status = 'pending'
    ) n
    ON CONFLICT (dedupe_key) DO NOTHING
"""

# --- blocks ---

BOOKINGS_IN_THE_WAY_FOR_UPDATE = f"""SELECT {COLUMNS} FROM booking b
            WHERE {SAME_CALENDAR} AND b.kind = 'booking' AND b.status IN {OCCUPYING_SQL}
              AND tstzrange(b.starts_at, b.occupied_until, '[)') && tstzrange($2, $3, '[)')
            ORDER BY b.starts_at FOR UPDATE OF b"""

INSERT_BLOCK = f"""INSERT INTO booking AS b (kind, instrument_id, user_id, starts_at, ends_at,
                occupied_until, status, purpose, booker_institution_id, booker_region_code,
                series_id)
            VALUES ('maintenance', $1, $2, $3, $4, $4, 'confirmed', $5, $6, $7, $8)
            RETURNING {BLOCK_COLUMNS}"""

INSERT_BLOCK_SERIES = (
    "INSERT INTO booking_series (instrument_id, user_id, rrule, mode) "
    "VALUES ($1, $2, $3, 'all_or_nothing') RETURNING id"
)

LOCK_BLOCK = f"""SELECT {BLOCK_COLUMNS} FROM booking b
                WHERE b.id = $1 AND b.instrument_id = $2 AND b.kind = 'maintenance' FOR UPDATE"""

BLOCKS_BETWEEN = f"""SELECT {BLOCK_COLUMNS} FROM booking b
            WHERE b.instrument_id = $1 AND b.kind = 'maintenance'
              AND ($2::timestamptz IS NULL OR b.ends_at > $2) AND ($3::timestamptz IS NULL OR b.starts_at < $3)
              AND ($4 OR b.status = 'confirmed')
            ORDER BY b.starts_at"""

LOCK_BLOCK_STATUS = "SELECT id, status FROM booking WHERE id = $1 AND instrument_id = $2 AND kind = 'maintenance' FOR UPDATE"

CANCEL_BOOKING_ROW = (
    "UPDATE booking SET status = 'cancelled', version = version + 1, updated_at = $2 WHERE id = $1"
)

# --- freed ---

NEXT_BOOKING_AFTER_FREED = f"""SELECT b.id, b.user_id, r.timezone FROM booking b
            JOIN instrument i ON i.id = b.instrument_id
            {zone_join("i", "s")}
            WHERE {SAME_CALENDAR} AND b.kind = 'booking'
              AND b.status IN {sql_in(REMINDABLE)} AND b.starts_at >= $2
              AND b.starts_at < $3 AND b.id <> $4
            ORDER BY b.starts_at LIMIT 1"""

# --- idempotency ---

CLAIM_KEY = """INSERT INTO idempotency_key (user_id, key, request_hash, created_at, expires_at)
           VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (user_id, key) DO UPDATE
               SET request_hash = EXCLUDED.request_hash, response_status = NULL,
                   response_body = NULL, created_at = EXCLUDED.created_at,
                   expires_at = EXCLUDED.expires_at
               WHERE idempotency_key.expires_at <= $4
           RETURNING true"""

STORED_ANSWER = (
    "SELECT request_hash, response_status, response_body FROM idempotency_key "
    "WHERE user_id = $1 AND key = $2"
)

STORE_ANSWER = (
    "UPDATE idempotency_key SET response_status = $3, response_body = $4 "
    "WHERE user_id = $1 AND key = $2"
)

PURGE_EXPIRED_KEYS = "DELETE FROM idempotency_key WHERE expires_at <= $1"

# --- lifecycle ---

#: How many rows one claim of a lifecycle job takes.
BATCH = 200


def claim_due(where: str, to_status: str) -> str:
    """Moves up to `BATCH` rows matching `where` to `to_status`, skipping rows others hold."""
    return f"""
        WITH due AS (
            SELECT id, status FROM booking b WHERE {where}
            ORDER BY b.id LIMIT {BATCH} FOR UPDATE SKIP LOCKED
        )
        UPDATE booking b SET status = '{to_status}', version = b.version + 1, updated_at = $1
        FROM due WHERE b.id = due.id
        RETURNING {COLUMNS}, due.status AS old_status"""


#: Confirmed bookings nobody checked in to within the grace (and no no-show undone).
NO_SHOW_DUE = (
    "b.status = 'confirmed' AND b.kind = 'booking' AND b.starts_at <= $1 "
    f"AND b.starts_at + make_interval(mins => {NO_SHOW_GRACE}) <= $1 "
    "AND NOT EXISTS (SELECT 1 FROM usage_session s WHERE s.booking_id = b.id) "
    "AND NOT EXISTS (SELECT 1 FROM booking_event e "
    "WHERE e.booking_id = b.id AND e.action = 'undo_no_show')"
)

# --- queries ---

#: Completed bookings not rated yet.
UNRATED = (
    "b.status = 'completed' AND NOT EXISTS (SELECT 1 FROM satisfaction s WHERE s.booking_id = b.id)"
)


def list_bookings(where: str, n: int, *, newest_first: bool) -> str:
    """One page of bookings matching `where` (which uses `$1`…`$n`), with the total."""
    order = "b.starts_at DESC, b.id DESC" if newest_first else "b.starts_at, b.id"
    return f"""SELECT {COLUMNS}, count(*) OVER () AS total FROM booking b WHERE {where}
            ORDER BY {order}
            LIMIT ${n + 1} OFFSET ${n + 2}"""


def count_bookings(where: str) -> str:
    return f"SELECT count(*) FROM booking b WHERE {where}"


BOOKING_WITH_INSTITUTION = f"""SELECT {COLUMNS}, n.institution_id AS instrument_institution_id
            FROM booking b JOIN instrument n ON n.id = b.instrument_id
            WHERE b.id = $1 AND b.kind = 'booking'"""

APPROVALS_PAGE = f"""SELECT {COLUMNS}, n.name_zh AS instrument_zh, n.name_en AS instrument_en,
                   u.display_name, u.email, u.phone, i.name_zh AS inst_zh, i.name_en AS inst_en,
                   r.name_zh AS region_zh, r.name_en AS region_en, count(*) OVER () AS total
            FROM booking b JOIN instrument n ON n.id = b.instrument_id
            JOIN app_user u ON u.id = b.user_id
            JOIN institution i ON i.id = b.booker_institution_id
            JOIN region r ON r.code = b.booker_region_code
            WHERE b.status = 'pending' AND b.kind = 'booking' AND {MANAGED_BY_CALLER}
            ORDER BY b.approval_deadline NULLS LAST, b.id LIMIT $4 OFFSET $5"""

# --- reschedule ---

INSTRUMENT_OF_BOOKING = "SELECT instrument_id FROM booking WHERE id = $1"

BOOKER_FACTS = f"""SELECT u.language, i.kind,
                  EXISTS (SELECT 1 FROM instrument_manager m WHERE m.user_id = u.id AND m.instrument_id = $2)
                  OR EXISTS (SELECT 1 FROM institution_admin a WHERE a.user_id = u.id AND a.institution_id = $3)
                  OR u.is_platform_admin AS is_manager,
                  EXISTS ({MEMBERSHIP_FOR_SHARE.format(user="$1", institution="$4", now="$5")})
                  AS verified
           FROM app_user u, institution i WHERE u.id = $1 AND i.id = $4"""

# --- series ---

INSERT_SERIES = "INSERT INTO booking_series (instrument_id, user_id, rrule, mode) VALUES ($1, $2, $3, $4) RETURNING id"

# --- transitions ---

SET_SESSION_DETAILS = """UPDATE usage_session SET samples = $2, note = $3,
                       amount = coalesce($4, amount), service_way = coalesce($5, service_way)
                   WHERE booking_id = $1"""

LOCK_LATER_SERIES_BOOKINGS = f"""SELECT {COLUMNS}, n.institution_id AS instrument_institution_id
                FROM booking b JOIN instrument n ON n.id = b.instrument_id
                WHERE b.series_id = $1 AND b.id <> $2 AND b.status IN {sql_in(CANCELLABLE)}
                  AND b.starts_at > CASE WHEN $3 THEN $5::timestamptz ELSE $4::timestamptz END
                ORDER BY b.id FOR UPDATE OF b"""

LAST_NO_SHOW_EVENT = """SELECT at, from_status FROM booking_event
               WHERE booking_id = $1 AND action = 'no_show' ORDER BY at DESC, id DESC LIMIT 1"""

LOCK_PENDING_OF_SERIES = f"""SELECT {COLUMNS}, n.institution_id AS instrument_institution_id
                FROM booking b JOIN instrument n ON n.id = b.instrument_id
                WHERE b.series_id = $1 AND b.status = 'pending'
                ORDER BY b.starts_at FOR UPDATE OF b"""

OPEN_SESSION = f"""INSERT INTO usage_session (instrument_id, booking_id, user_id, user_institution_id,
                   user_region_code, is_external, is_cross_region, affiliation_verified,
                   started_at, service_way, recorded_by)
               SELECT $1, $2, $3, $4, $5, NOT v.ok OR n.institution_id <> $4, $6, v.ok, $7, $8, $9
               FROM instrument n CROSS JOIN LATERAL (SELECT {in_force_of("$3", "$4", "$7")} AS ok) v
               WHERE n.id = $1
               ON CONFLICT (booking_id) DO NOTHING"""

CLOSE_SESSION = """UPDATE usage_session SET ended_at = greatest($2, started_at + interval '1 second')
           WHERE booking_id = $1 AND ended_at IS NULL"""

# --- usage ---

REGION_OF_INSTITUTION = "SELECT region_code FROM institution WHERE id = $1"

COMPLETE_BOOKING = (
    "UPDATE booking SET status = 'completed', version = version + 1, updated_at = $2 WHERE id = $1"
)

INSTRUMENT_OWNER = "SELECT id, institution_id FROM instrument WHERE id = $1"

SESSIONS_PAGE = f"""SELECT {SESSION_COLUMNS}, count(*) OVER () AS total FROM usage_session
            WHERE instrument_id = $1 AND ($2::timestamptz IS NULL OR coalesce(ended_at, 'infinity') > $2)
              AND ($3::timestamptz IS NULL OR started_at < $3)
            ORDER BY started_at DESC, id DESC LIMIT $4 OFFSET $5"""

# --- writes ---

INSERT_BOOKING = f"""WITH b AS (
                INSERT INTO booking (instrument_id, user_id, series_id, starts_at, ends_at,
                    occupied_until, status, purpose, service_way, booker_institution_id,
                    booker_region_code, is_external, is_cross_region, fee_class, fee_per_hour,
                    estimated_cost, approval_deadline, booked_by)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                        $18)
                RETURNING *
            ), e AS (
                INSERT INTO booking_event (booking_id, actor_user_id, action, to_status, data)
                SELECT id, coalesce(booked_by, user_id), 'created', status, $19::jsonb FROM b
            ), o AS ({ANNOUNCE})
            SELECT {COLUMNS} FROM b"""


# --- history, moves and displacement ---

HISTORY = (
    "SELECT id, at, actor_user_id, action, from_status, to_status, reason, data "
    "FROM booking_event WHERE booking_id = $1 ORDER BY at, id"
)

MOVE_BLOCK_TO = f"""UPDATE booking b SET starts_at = $2, ends_at = $3, occupied_until = $3,
                    purpose = $4, version = version + 1, updated_at = $5
                WHERE id = $1 RETURNING {BLOCK_COLUMNS}"""

CANCEL_DISPLACED = f"""UPDATE booking b SET status = 'cancelled', version = version + 1, updated_at = $2
            WHERE id = $1 RETURNING {COLUMNS}"""

#: A maintenance block with its instrument's institution, for the manager's detail page.
MAINTENANCE_BLOCK = f"""SELECT {COLUMNS}, n.institution_id AS instrument_institution_id
FROM booking b JOIN instrument n ON n.id = b.instrument_id
WHERE b.id = $1 AND b.kind = 'maintenance'"""

#: The user's own occurrences of a series, for the outcome shown after booking it.
SERIES_OCCURRENCES = """SELECT status, estimated_cost FROM booking
WHERE series_id = $1 AND user_id = $2 ORDER BY starts_at"""

#: A check-in ends the sessions still open on the instrument: at their booked end, or now if
#: that is earlier (the next user took over), so sessions of one instrument never overlap.
HAND_OVER = """
UPDATE usage_session s
SET ended_at = greatest(least(coalesce(b.ends_at, $2), $2), s.started_at + interval '1 second')
FROM usage_session o LEFT JOIN booking b ON b.id = o.booking_id
WHERE o.id = s.id AND s.instrument_id = $1 AND s.ended_at IS NULL AND s.booking_id IS DISTINCT FROM $3
"""


# --- transitions, reschedule, usage ---

#: A booking moved to another status (`$2`) at `$3`; `$4` marks a late cancellation.
SET_STATUS = f"""UPDATE booking b SET status = $2, version = version + 1, updated_at = $3,
        late_cancellation = late_cancellation OR $4
    WHERE id = $1 RETURNING {COLUMNS}"""

#: A no-show taken back: the booking gets its previous status (`$2`) again.
RESTORE_STATUS = f"""UPDATE booking b SET status = $2, version = version + 1, updated_at = $3
    WHERE id = $1 RETURNING {COLUMNS}"""

#: A booking moved or resized, with the terms its new time gives it.
RESCHEDULE = f"""UPDATE booking b SET starts_at = $2, ends_at = $3, occupied_until = $4,
        purpose = $5, service_way = $6, status = $7, approval_deadline = $8, estimated_cost = $9,
        version = version + 1, updated_at = $10
    WHERE id = $1 RETURNING {COLUMNS}"""

#: Sessions left open by a check-in whose booked time is over end with their booking (the
#: lifecycle job would close them the same way a few minutes later).
CLOSE_FINISHED_SESSIONS = """
UPDATE usage_session s SET ended_at = greatest(b.ends_at, s.started_at + interval '1 second')
FROM booking b
WHERE b.id = s.booking_id AND s.instrument_id = $1 AND s.ended_at IS NULL AND b.ends_at <= $2
"""
