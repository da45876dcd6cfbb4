"""Shapes of the registry exports and of the completeness report."""

from __future__ import annotations

import msgspec

from service.registry.completeness import Gap


class RegistryInstrumentOut(msgspec.Struct, omit_defaults=True):
    """One instrument in the registry's fields and order; values as the registry writes them
    (Chinese words, 6-digit class, worth in 万元 with two decimals). The `ins*` members after
    the registry's own are present only with `institution_columns=true`."""

    insCode: str
    innerId: str
    cname: str
    ename: str
    instrBelongsType: str
    instrBelongsName: str
    instrCategory: str
    instrSource: str
    instrSupervise: str
    worth: str
    nation: str
    manufacturer: str
    beginDate: str
    type: str
    instrVersion: str
    technical: str
    function: str
    subject: str
    serviceContent: str
    achievement: str
    status: str
    requirement: str
    fee: str
    serviceUrl: str
    province: str
    city: str
    county: str
    street: str
    contact: str
    phone: str
    email: str
    address: str
    postalcode: str
    shareMode: str
    image: str
    auditStatus: str
    insName: str | None = None
    insNameEn: str | None = None
    insKind: str | None = None


class RegistryServiceRecordOut(msgspec.Struct):
    """One completed usage session in the registry's service-record fields and order."""

    insCode: str
    innerId: str
    amounts: str
    serviceTime: str
    serviceContent: str
    serviceWay: str
    serviceAmount: str
    subjectName: str
    subjectIncome: str
    subjectArea: str
    subjectContent: str
    applicant: str
    applicatPhone: str
    applicatEmail: str
    applicatUnit: str
    comment: str


class InstrumentGapsOut(msgspec.Struct):
    id: int
    name_zh: str
    inner_id: str
    institution_id: int
    gaps: list[Gap]


class CompletenessOut(msgspec.Struct):
    """Per instrument, the registry fields it lacks; only incomplete instruments are listed."""

    instruments: int
    complete: int
    items: list[InstrumentGapsOut]
