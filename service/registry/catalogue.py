"""An instrument as the registry writes it: field names, order and Chinese values (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from service.registry import vocab


def _address(building: str, room: str) -> str:
    return " ".join(part for part in (building.strip(), room.strip()) if part)


def instrument_record(row: Mapping[str, Any], base_url: str) -> dict[str, str]:
    """The registry record of one instrument row (`sql.CATALOGUE`), every value a string."""
    worth: Decimal = row["original_value"]
    start = row["service_start"]
    return {
        "insCode": row["ins_code"],
        "innerId": row["inner_id"],
        "cname": row["name_zh"],
        "ename": row["name_en"],
        "instrBelongsType": row["belongs_type"],
        "instrBelongsName": row["belongs_name"],
        "instrCategory": vocab.registry_category(row["category_code"]),
        "instrSource": vocab.SOURCE.get(row["source"], ""),
        "instrSupervise": vocab.YES_NO[bool(row["customs_supervised"])],
        "worth": f"{worth:.2f}",
        "nation": row["country_code"] or "",
        "manufacturer": row["manufacturer"],
        "beginDate": start.isoformat() if start else "",
        "type": vocab.TYPE[row["instrument_type"]],
        "instrVersion": row["model"],
        "technical": row["specs"],
        "function": row["functions"],
        "subject": vocab.LIST_SEPARATOR.join(row["subject_codes"]),
        "serviceContent": row["service_content"],
        "achievement": row["achievement"],
        "status": vocab.STATUS[row["status"]],
        "requirement": row["sharing_rules"],
        "fee": row["fee_standard"],
        "serviceUrl": f"{base_url.rstrip('/')}/instruments/{row['id']}",
        "province": row["province"],
        "city": row["city"],
        "county": row["county"],
        "street": row["street"],
        "contact": row["contact_name"],
        "phone": row["contact_phone"],
        "email": row["contact_email"],
        "address": _address(row["building"], row["room"]),
        "postalcode": row["postal_code"],
        "shareMode": vocab.SHARE_MODE[row["share_mode"]],
        "image": row["photo_url"],
        "auditStatus": "",
    }


def institution_columns(row: Mapping[str, Any]) -> dict[str, str]:
    return {
        "insName": row["ins_name"],
        "insNameEn": row["ins_name_en"],
        "insKind": vocab.INSTITUTION_KIND[row["ins_kind"]],
    }
