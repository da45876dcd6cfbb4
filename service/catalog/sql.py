"""Every SQL statement of the catalogue (instruments, institutions, regions, codes)."""

from __future__ import annotations

#: The zone an instrument is presented in: instrument `i`, its institution `s`, its region `r`.
INSTRUMENT_ZONE_JOIN = (
    "JOIN institution s ON s.id = i.institution_id JOIN region r ON r.code = s.region_code"
)

MANAGED_INSTRUMENT = f"""
SELECT i.id, i.institution_id, r.timezone FROM instrument i
{INSTRUMENT_ZONE_JOIN}
WHERE i.id = $1
"""
