"""A completed usage session as the registry's service record (pure).

Amounts are in yuan; `serviceAmount` is the session's hours (effective time: the platform
records warm-up, measurement and necessary post-processing as the session, idle time not);
times are the instrument's local wall time. The registry's project fields (`subjectName`,
`subjectIncome`, `subjectArea`) are not recorded by the platform yet and stay empty;
`subjectContent` carries the booking's stated purpose.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from service.registry import vocab


def service_record(row: Mapping[str, Any]) -> dict[str, str]:
    zone = ZoneInfo(row["timezone"])
    start, end = row["started_at"].astimezone(zone), row["ended_at"].astimezone(zone)
    hours = (end - start).total_seconds() / 3600
    rating = row["rating"]
    return {
        "insCode": row["ins_code"],
        "innerId": row["inner_id"],
        "amounts": f"{row['amount']:.2f}",
        "serviceTime": f"{start:%Y-%m-%d %H:%M:%S}~{end:%Y-%m-%d %H:%M:%S}",
        "serviceContent": row["service_content"],
        "serviceWay": vocab.SERVICE_WAY[row["service_way"]],
        "serviceAmount": f"{hours:.2f}",
        "subjectName": "",
        "subjectIncome": "",
        "subjectArea": "",
        "subjectContent": row["purpose"] or "",
        "applicant": row["display_name"] or "",
        "applicatPhone": "",
        "applicatEmail": row["user_email"] or "",
        "applicatUnit": row["unit"],
        "comment": vocab.COMMENT.get(rating, "") if rating else "",
    }
