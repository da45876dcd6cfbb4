"""Request and response shapes of the catalogue.

Money (`original_value`) is in 万元 (10,000 yuan) with two decimals and travels as a decimal
string so that no client rounds it through a binary float; input accepts a number or a string.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Annotated, Literal

import msgspec

ShareMode = Literal["internal", "external", "none"]
Status = Literal[
    "normal",
    "standby",
    "remote",
    "occasional_fault",
    "frequent_fault",
    "awaiting_repair",
    "awaiting_scrap",
]
InstrumentType = Literal["general", "special"]
InstitutionKind = Literal["university", "research_institute", "hospital", "enterprise", "other"]

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
OptName = Annotated[str, msgspec.Meta(max_length=200)]
Short = Annotated[str, msgspec.Meta(max_length=200)]
LongText = Annotated[str, msgspec.Meta(max_length=5000)]
Url = Annotated[str, msgspec.Meta(max_length=1000)]
Subjects = Annotated[list[Annotated[str, msgspec.Meta(min_length=1, max_length=100)]],
                     msgspec.Meta(max_length=20)]  # fmt: skip
InstitutionCode = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9][a-z0-9-]{1,39}$")]
RegionCode = Annotated[str, msgspec.Meta(min_length=2, max_length=16)]
CategoryCode = Annotated[str, msgspec.Meta(pattern=r"^[0-9]{2}([0-9]{2}([0-9]{2})?)?$")]
Id = Annotated[int, msgspec.Meta(ge=1, le=2**62)]
InstrumentSource = Literal["", "purchased", "developed", "donated", "other"]
InnerId = Annotated[str, msgspec.Meta(max_length=100)]
CountryCode = Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{2}$")]
SubjectCodes = Annotated[list[Annotated[str, msgspec.Meta(pattern=r"^[0-9]{3}$")]],
                         msgspec.Meta(max_length=4)]  # fmt: skip
PostalCode = Annotated[str, msgspec.Meta(pattern=r"^([0-9]{6})?$")]
Text100 = Annotated[str, msgspec.Meta(max_length=100)]


class RegionOut(msgspec.Struct):
    code: str
    name_zh: str
    name_en: str
    timezone: str
    parent_code: str | None
    #: Seat of the region's government (distances between regions), WGS 84 degrees.
    latitude: float = 0.0
    longitude: float = 0.0
    #: A partner region outside the province.
    partner: bool = False


Latitude = Annotated[float, msgspec.Meta(ge=-90, le=90)]
Longitude = Annotated[float, msgspec.Meta(ge=-180, le=180)]
RegionName = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Zone = Annotated[str, msgspec.Meta(min_length=1, max_length=64, description="IANA zone name")]


class RegionIn(msgspec.Struct, forbid_unknown_fields=True):
    code: Annotated[str, msgspec.Meta(pattern=r"^[0-9A-Z][0-9A-Z-]{1,15}$")]
    name_zh: RegionName
    name_en: RegionName
    timezone: Zone
    latitude: Latitude
    longitude: Longitude
    parent_code: RegionCode | None = None
    partner: bool = False


class RegionPatchIn(msgspec.Struct, forbid_unknown_fields=True):
    """The code is the region's identity and cannot change."""

    name_zh: RegionName | msgspec.UnsetType = msgspec.UNSET
    name_en: RegionName | msgspec.UnsetType = msgspec.UNSET
    timezone: Zone | msgspec.UnsetType = msgspec.UNSET
    latitude: Latitude | msgspec.UnsetType = msgspec.UNSET
    longitude: Longitude | msgspec.UnsetType = msgspec.UNSET
    parent_code: RegionCode | None | msgspec.UnsetType = msgspec.UNSET
    partner: bool | msgspec.UnsetType = msgspec.UNSET


class CategoryOut(msgspec.Struct):
    code: str
    name_zh: str
    name_en: str
    children: list[CategoryOut] = []


class InstitutionOut(msgspec.Struct):
    id: int
    code: str
    name_zh: str
    name_en: str
    kind: str
    region_code: str
    region_name_zh: str
    region_name_en: str
    timezone: str
    address: str
    contact_name: str
    contact_phone: str
    contact_email: str
    active: bool
    instrument_count: int


class InstitutionIn(msgspec.Struct, forbid_unknown_fields=True):
    code: InstitutionCode
    name_zh: Name
    name_en: Name
    kind: InstitutionKind
    region_code: RegionCode
    address: Short = ""
    contact_name: Annotated[str, msgspec.Meta(max_length=100)] = ""
    contact_phone: Annotated[str, msgspec.Meta(max_length=50)] = ""
    contact_email: Annotated[str, msgspec.Meta(max_length=254)] = ""


class InstitutionPatchIn(msgspec.Struct, forbid_unknown_fields=True):
    name_zh: Name | msgspec.UnsetType = msgspec.UNSET
    name_en: Name | msgspec.UnsetType = msgspec.UNSET
    kind: InstitutionKind | msgspec.UnsetType = msgspec.UNSET
    region_code: RegionCode | msgspec.UnsetType = msgspec.UNSET
    address: Short | msgspec.UnsetType = msgspec.UNSET
    contact_name: Annotated[str, msgspec.Meta(max_length=100)] | msgspec.UnsetType = msgspec.UNSET
    contact_phone: Annotated[str, msgspec.Meta(max_length=50)] | msgspec.UnsetType = msgspec.UNSET
    contact_email: Annotated[str, msgspec.Meta(max_length=254)] | msgspec.UnsetType = msgspec.UNSET
    active: bool | msgspec.UnsetType = msgspec.UNSET


class InstrumentSummaryOut(msgspec.Struct):
    id: int
    name_zh: str
    name_en: str
    category_code: str
    category_name_zh: str
    category_name_en: str
    institution_id: int
    institution_code: str
    institution_name_zh: str
    institution_name_en: str
    region_code: str
    region_name_zh: str
    region_name_en: str
    timezone: str
    manufacturer: str
    model: str
    original_value: Decimal
    instrument_type: str
    share_mode: str
    status: str
    photo_url: str
    retired: bool


class ManagerOut(msgspec.Struct):
    user_id: int
    display_name: str
    #: Shown to signed-in users only: the registry is public, mailboxes are not.
    email: str | None


class OpeningOut(msgspec.Struct):
    weekday: int
    opens: time
    closes: time


class PolicySummaryOut(msgspec.Struct):
    """The effective booking rules, with where they came from (instrument, institution, default)."""

    source: str
    approval: str
    min_minutes: int
    max_minutes: int
    granularity_minutes: int
    min_notice_minutes: int
    horizon_days: int
    buffer_minutes: int
    late_cancel_hours: int
    service_ways: list[str]
    fee_internal: Decimal
    fee_external_academic: Decimal
    fee_enterprise: Decimal


class InstrumentOut(InstrumentSummaryOut):
    country: str
    service_start: date | None
    specs: str
    functions: str
    subject_areas: list[str]
    building: str
    room: str
    contact_name: str
    contact_phone: str
    contact_email: str
    fee_standard: str
    sharing_rules: str
    inner_id: str
    belongs_type: str
    belongs_name: str
    source: str
    customs_supervised: bool
    country_code: str | None
    subject_codes: list[str]
    service_content: str
    achievement: str
    county: str
    street: str
    postal_code: str
    retired_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime
    managers: list[ManagerOut]
    opening_hours: list[OpeningOut]
    policy: PolicySummaryOut


class InstrumentIn(msgspec.Struct, forbid_unknown_fields=True):
    institution_id: Id
    name_zh: Name
    category_code: CategoryCode
    original_value: Decimal
    name_en: OptName = ""
    manufacturer: Short = ""
    model: Short = ""
    country: Annotated[str, msgspec.Meta(max_length=100)] = ""
    service_start: date | None = None
    instrument_type: InstrumentType = "general"
    specs: LongText = ""
    functions: LongText = ""
    subject_areas: Subjects = []
    building: Short = ""
    room: Annotated[str, msgspec.Meta(max_length=50)] = ""
    contact_name: Annotated[str, msgspec.Meta(max_length=100)] = ""
    contact_phone: Annotated[str, msgspec.Meta(max_length=50)] = ""
    contact_email: Annotated[str, msgspec.Meta(max_length=254)] = ""
    fee_standard: LongText = ""
    sharing_rules: LongText = ""
    share_mode: ShareMode = "external"
    status: Status = "normal"
    photo_url: Url = ""
    #: The institution's asset number (registry innerId); unique within the institution.
    inner_id: InnerId = ""
    belongs_type: Text100 = ""
    belongs_name: Short = ""
    source: InstrumentSource = ""
    customs_supervised: bool = False
    #: GB/T 2659 (ISO 3166-1 alpha-2); derived from `country` when that names a country.
    country_code: CountryCode | None = None
    #: GB/T 13745 first-level discipline codes, at most four.
    subject_codes: SubjectCodes = []
    service_content: LongText = ""
    achievement: LongText = ""
    county: Text100 = ""
    street: Short = ""
    postal_code: PostalCode = ""


_U = msgspec.UnsetType


class InstrumentPatchIn(msgspec.Struct, forbid_unknown_fields=True):
    """Only the members sent are changed; `institution_id` moves the instrument (admins only)."""

    institution_id: Id | _U = msgspec.UNSET
    name_zh: Name | _U = msgspec.UNSET
    category_code: CategoryCode | _U = msgspec.UNSET
    original_value: Decimal | _U = msgspec.UNSET
    name_en: OptName | _U = msgspec.UNSET
    manufacturer: Short | _U = msgspec.UNSET
    model: Short | _U = msgspec.UNSET
    country: Annotated[str, msgspec.Meta(max_length=100)] | _U = msgspec.UNSET
    service_start: date | None | _U = msgspec.UNSET
    instrument_type: InstrumentType | _U = msgspec.UNSET
    specs: LongText | _U = msgspec.UNSET
    functions: LongText | _U = msgspec.UNSET
    subject_areas: Subjects | _U = msgspec.UNSET
    building: Short | _U = msgspec.UNSET
    room: Annotated[str, msgspec.Meta(max_length=50)] | _U = msgspec.UNSET
    contact_name: Annotated[str, msgspec.Meta(max_length=100)] | _U = msgspec.UNSET
    contact_phone: Annotated[str, msgspec.Meta(max_length=50)] | _U = msgspec.UNSET
    contact_email: Annotated[str, msgspec.Meta(max_length=254)] | _U = msgspec.UNSET
    fee_standard: LongText | _U = msgspec.UNSET
    sharing_rules: LongText | _U = msgspec.UNSET
    share_mode: ShareMode | _U = msgspec.UNSET
    status: Status | _U = msgspec.UNSET
    photo_url: Url | _U = msgspec.UNSET
    inner_id: InnerId | _U = msgspec.UNSET
    belongs_type: Text100 | _U = msgspec.UNSET
    belongs_name: Short | _U = msgspec.UNSET
    source: InstrumentSource | _U = msgspec.UNSET
    customs_supervised: bool | _U = msgspec.UNSET
    country_code: CountryCode | None | _U = msgspec.UNSET
    subject_codes: SubjectCodes | _U = msgspec.UNSET
    service_content: LongText | _U = msgspec.UNSET
    achievement: LongText | _U = msgspec.UNSET
    county: Text100 | _U = msgspec.UNSET
    street: Short | _U = msgspec.UNSET
    postal_code: PostalCode | _U = msgspec.UNSET


def set_fields(data: msgspec.Struct) -> dict[str, object]:
    """The members a PATCH body actually carried."""
    return {
        f: getattr(data, f) for f in data.__struct_fields__ if getattr(data, f) is not msgspec.UNSET
    }
