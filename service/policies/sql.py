"""Every SQL statement of booking policies, and the effective-policy join other packages put
into their own queries."""

from __future__ import annotations

from service.common.codes import OCCUPYING, sql_in
from service.policies.schemas import POLICY_FIELDS


def effective_policy(instrument: str) -> str:
    """`LEFT JOIN LATERAL (…) p`: the effective policy row of the instrument aliased
    `instrument` (its own row, else its institution's default, else nothing)."""
    return f"""LEFT JOIN LATERAL (
    SELECT * FROM booking_policy bp
    WHERE bp.instrument_id = {instrument}.id OR bp.institution_id = {instrument}.institution_id
    ORDER BY bp.instrument_id IS NULL LIMIT 1
) p ON true"""


#: The policy columns of `effective_policy` and where they came from (`src`), for
#: `policy_from_row`; `src` is NULL when only the built-in defaults apply.
POLICY_COLUMNS = f"""{", ".join("p." + f for f in POLICY_FIELDS)},
       CASE WHEN p.instrument_id IS NOT NULL THEN 'instrument'
            WHEN p.institution_id IS NOT NULL THEN 'institution' END AS src"""

#: `SELECT p.*` has no column list to keep in sync with `Policy`.
EFFECTIVE_POLICY = """
SELECT p.*, CASE WHEN p.instrument_id IS NOT NULL THEN 'instrument' ELSE 'institution' END AS src
FROM booking_policy p
WHERE p.instrument_id = $1
   OR p.institution_id = (SELECT institution_id FROM instrument WHERE id = $1)
ORDER BY p.instrument_id IS NULL
LIMIT 1
"""

INSTITUTION_POLICY = "SELECT *, 'institution' AS src FROM booking_policy WHERE institution_id = $1"

INSTITUTION_EXISTS = "SELECT true FROM institution WHERE id = $1"

#: The instruments that follow their institution's default (no policy of their own).
HEIRS = """SELECT n.id FROM instrument n WHERE n.institution_id = $1 AND NOT EXISTS (
                       SELECT 1 FROM booking_policy p WHERE p.instrument_id = n.id)
                   ORDER BY n.id"""

_COLUMNS = ", ".join(POLICY_FIELDS)
_PARAMS = ", ".join(f"${i + 2}" for i in range(len(POLICY_FIELDS)))
_UPDATES = ", ".join(f"{f} = EXCLUDED.{f}" for f in POLICY_FIELDS)


def _upsert(owner: str) -> str:
    return (
        f"INSERT INTO booking_policy ({owner}, {_COLUMNS}) VALUES ($1, {_PARAMS}) "
        f"ON CONFLICT ({owner}) DO UPDATE SET {_UPDATES}, updated_at = now()"
    )


UPSERT_INSTRUMENT_POLICY = _upsert("instrument_id")
UPSERT_INSTITUTION_POLICY = _upsert("institution_id")

#: The changeover a future booking holds follows the policy when the buffer is lowered: time
#: held under the old, longer buffer is freed at once. A raised buffer applies to bookings
#: made from now on; existing bookings keep the changeover they were accepted with, so
#: raising it never creates an overlap (nor silently cancels anyone). Only bookings whose
#: held time is not yet over are touched; the caller holds each instrument's lock.
SHRINK_CHANGEOVERS = f"""
UPDATE booking SET occupied_until = ends_at + make_interval(mins => $2)
WHERE instrument_id = ANY($1::bigint[]) AND kind = 'booking'
  AND status IN {sql_in(OCCUPYING)}
  AND occupied_until > $3 AND occupied_until > ends_at + make_interval(mins => $2)
"""
