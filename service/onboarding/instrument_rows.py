"""Check each row of a registry instrument file and turn it into platform values (pure).

Every problem is reported with its line, field, value and reason, all at once; a file with any
problem is imported not at all. References (classes, countries, disciplines, regions, existing
institutions) come in as plain sets and maps, loaded by the caller.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import msgspec

from service.registry import vocab

REQUIRED_COLUMNS = ("insCode", "innerId", "cname", "instrCategory", "worth")
INSTITUTION_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_TEXT = 5000
#: Registry field -> (platform column, longest text the platform keeps).
TEXT_FIELDS = {
    "ename": ("name_en", 200), "instrBelongsType": ("belongs_type", 100),
    "instrBelongsName": ("belongs_name", 200), "manufacturer": ("manufacturer", 200),
    "instrVersion": ("model", 200), "technical": ("specs", MAX_TEXT),
    "function": ("functions", MAX_TEXT), "serviceContent": ("service_content", MAX_TEXT),
    "achievement": ("achievement", MAX_TEXT), "requirement": ("sharing_rules", MAX_TEXT),
    "fee": ("fee_standard", MAX_TEXT), "county": ("county", 100), "street": ("street", 200),
    "contact": ("contact_name", 100), "phone": ("contact_phone", 50),
    "email": ("contact_email", 254), "address": ("building", 200), "image": ("photo_url", 1000),
}  # fmt: skip
#: Registry field -> (platform column, Chinese value -> platform code)
CHOICES = {
    "instrSource": ("source", vocab.inverse(vocab.SOURCE)),
    "type": ("instrument_type", vocab.inverse(vocab.TYPE)),
    "status": ("status", vocab.inverse(vocab.STATUS)),
    "shareMode": ("share_mode", vocab.inverse(vocab.SHARE_MODE)),
}
DEFAULTS = {
    "source": "",
    "instrument_type": "general",
    "status": "normal",
    "share_mode": "external",
}


class RowIssue(msgspec.Struct, frozen=True):
    line: int | None
    field: str
    value: str
    reason: str


@dataclass(frozen=True, slots=True)
class Refs:
    categories: frozenset[str]
    countries: dict[str, str]  # code, zh and lower-case en name -> code
    country_names: dict[str, str]  # code -> zh name
    disciplines: frozenset[str]
    regions: dict[str, str]  # code, zh and lower-case en name -> code
    institutions: dict[str, int]  # code -> id
    #: institutions the importer may write; None = all, and may create new ones
    allowed: frozenset[int] | None
    today: date


@dataclass(slots=True)
class NewInstitution:
    code: str
    name_zh: str
    name_en: str
    kind: str
    region_code: str


@dataclass(slots=True)
class Parsed:
    instruments: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    institutions: dict[str, NewInstitution] = field(default_factory=dict)
    issues: list[RowIssue] = field(default_factory=list)


def _worth(text: str) -> Decimal | None:
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None
    if not value.is_finite() or value < 0 or value > Decimal("9999999999.99"):
        return None
    return value if value == value.quantize(Decimal("0.01")) else None


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.replace("/", "-").replace(".", "-")[:10])
    except ValueError:
        return None


def _lookup(table: dict[str, str], text: str) -> str | None:
    return table.get(text) or table.get(text.lower()) or table.get(text.upper())


class _Row:
    """One row being checked: collects values and issues."""

    def __init__(self, line: int, cells: dict[str, str]) -> None:
        self.line, self.cells = line, cells
        self.values: dict[str, Any] = {}
        self.issues: list[RowIssue] = []

    def bad(self, name: str, reason: str) -> None:
        self.issues.append(RowIssue(self.line, name, self.cells.get(name, ""), reason))

    def get(self, name: str) -> str:
        return self.cells.get(name, "").strip()


def _check_texts(row: _Row) -> None:
    name = row.get("cname")
    if not name or len(name) > 200:
        row.bad("cname", "required, at most 200 characters")
    row.values["name_zh"] = name
    for registry, (column, limit) in TEXT_FIELDS.items():
        text = row.get(registry)
        if len(text) > limit:
            row.bad(registry, f"at most {limit} characters")
        row.values[column] = text
    email = row.get("email")
    if email and not EMAIL.match(email):
        row.bad("email", "not an e-mail address")
    image = row.get("image")
    if image and not image.startswith(("http://", "https://")):
        row.bad("image", "must be an http(s) URL")
    postal = row.get("postalcode")
    if postal and not re.fullmatch(r"[0-9]{6}", postal):
        row.bad("postalcode", "six digits")
    row.values["postal_code"] = postal


def _check_codes(row: _Row, refs: Refs) -> None:
    category = row.get("instrCategory")
    if category not in refs.categories:
        row.bad("instrCategory", "not a code of the instrument classification")
    row.values["category_code"] = category
    worth = _worth(row.get("worth"))
    if worth is None:
        row.bad("worth", "a number of 万元, at most two decimals, not negative")
    row.values["original_value"] = worth
    nation = row.get("nation")
    code = _lookup(refs.countries, nation) if nation else None
    if nation and code is None:
        row.bad("nation", "not a GB/T 2659 country code or name")
    row.values["country_code"] = code
    row.values["country"] = refs.country_names.get(code, nation) if code else nation
    subjects = [s.strip() for s in re.split(r"[;,，；、\s]+", row.get("subject")) if s.strip()]
    if len(subjects) > 4 or any(s not in refs.disciplines for s in subjects):
        row.bad("subject", "up to four GB/T 13745 first-level discipline codes")
    row.values["subject_codes"] = subjects[:4]
    begin = row.get("beginDate")
    started = _date(begin) if begin else None
    if begin and (started is None or started > refs.today):
        row.bad("beginDate", "a past date, YYYY-MM-DD")
    row.values["service_start"] = started


def _check_choices(row: _Row) -> None:
    for registry, (column, table) in CHOICES.items():
        text = row.get(registry)
        if not text:
            row.values[column] = DEFAULTS[column]
        elif text in table:
            row.values[column] = table[text]
        else:
            allowed = "/".join(v for k, v in table.items() if k != v)
            row.bad(registry, f"one of {allowed}")
    supervise = row.get("instrSupervise")
    if supervise not in ("", "是", "否", "yes", "no", "true", "false"):
        row.bad("instrSupervise", "是 or 否")
    row.values["customs_supervised"] = supervise in ("是", "yes", "true")


def _institution(row: _Row, refs: Refs, parsed: Parsed) -> None:
    code = row.get("insCode")
    row.values["ins_code"] = code
    if code in refs.institutions:
        if refs.allowed is not None and refs.institutions[code] not in refs.allowed:
            row.bad("insCode", "not an institution you administer")
        return
    if not INSTITUTION_CODE.match(code):
        row.bad("insCode", "2-40 characters: lower-case letters, digits, '-'")
    elif refs.allowed is not None:
        row.bad("insCode", "unknown institution (only platform admins create institutions)")
    elif code not in parsed.institutions:
        _new_institution(row, refs, parsed, code)


def _new_institution(row: _Row, refs: Refs, parsed: Parsed, code: str) -> None:
    name = row.get("insName")
    region = _lookup(refs.regions, row.get("city")) or _lookup(refs.regions, row.get("province"))
    kind = vocab.inverse(vocab.INSTITUTION_KIND).get(row.get("insKind") or "其他")
    if not name:
        row.bad("insName", f"institution {code!r} is new: its name (insName) is needed")
    if region is None:
        row.bad("city", "not a region of the platform (needed for a new institution)")
    if kind is None:
        row.bad("insKind", "高等院校/科研院所/医疗机构/企业/其他")
    if name and region and kind:
        parsed.institutions[code] = NewInstitution(
            code, name[:200], (row.get("insNameEn") or name)[:200], kind, region
        )


def check_rows(rows: list[tuple[int, dict[str, str]]], refs: Refs) -> Parsed:
    parsed = Parsed()
    seen: dict[tuple[str, str], int] = {}
    for line, cells in rows:
        row = _Row(line, cells)
        _institution(row, refs, parsed)
        inner = row.get("innerId")
        if not inner or len(inner) > 100:
            row.bad("innerId", "required (the asset number identifies the instrument)")
        key = (row.get("insCode"), inner)
        if inner and key in seen:
            row.bad("innerId", f"duplicate of line {seen[key]} (same insCode and innerId)")
        seen.setdefault(key, line)
        row.values["inner_id"] = inner
        _check_texts(row)
        _check_codes(row, refs)
        _check_choices(row)
        parsed.issues += row.issues
        if not row.issues:
            parsed.instruments.append((line, row.values))
    return parsed
