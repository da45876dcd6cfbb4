"""The demo data set as plain values, generated from a fixed seed.

Pure and deterministic: the same seed gives the same institutions, instruments and policies
in the same order, so the demo looks the same on every machine and tests can pin it.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

from service.demo.institutions import (
    BUILDINGS,
    FOCUS,
    GIVEN,
    INSTITUTIONS,
    PHONE_PREFIX,
    SURNAMES,
    InstitutionSpec,
)
from service.demo.templates import BY_KEY, TEMPLATES, Template

DEMO_SEED = 2026
FEE_TIERS = ((200, 300, 450), (150, 250, 400), (300, 450, 600), (100, 200, 350))
STATUS_WEIGHTS = {
    "normal": 80,
    "standby": 7,
    "remote": 4,
    "occasional_fault": 4,
    "frequent_fault": 2,
    "awaiting_repair": 2,
    "awaiting_scrap": 1,
}
SHARING_RULES = {
    "external": "面向校内外开放共享；外单位用户预约需经仪器负责人审核；自主上机须通过操作培训考核。",
    "internal": "仅面向本单位用户共享；外单位需求可通过委托测试方式办理。",
    "none": "因承担重大科研任务，暂不对外共享。",
}
FIRST_START, LAST_START = date(2008, 1, 1), date(2025, 6, 30)


class InstrumentPlan(NamedTuple):
    institution: str
    name_zh: str
    name_en: str
    category_code: str
    original_value: Decimal
    manufacturer: str
    model: str
    country: str
    service_start: date
    instrument_type: str
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
    share_mode: str
    status: str
    #: "office" (Mon–Fri 08:30–17:30), "extended" (Mon–Sat 08:00–21:00) or "always" (24/7)
    hours: str


class PolicyPlan(NamedTuple):
    institution: str
    fee_internal: int
    fee_external_academic: int
    fee_enterprise: int


class DemoPlan(NamedTuple):
    institutions: tuple[InstitutionSpec, ...]
    contacts: dict[str, tuple[str, str, str]]
    instruments: list[InstrumentPlan]
    policies: list[PolicyPlan]


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _phone(rng: random.Random, region: str) -> str:
    return f"{PHONE_PREFIX[region]}{rng.randrange(1000000, 9999999):07d}"


def _template(rng: random.Random, focus: str) -> Template:
    prefix = rng.choice(FOCUS[focus])
    matching = [t for t in TEMPLATES if t.category.startswith(prefix)]
    return rng.choice(matching)


def _fee_text(fees: tuple[int, int, int]) -> str:
    return (
        f"校内{fees[0]}元/机时；校外科研单位{fees[1]}元/机时；企业用户{fees[2]}元/机时；耗材另计。"
    )


def make_instrument(
    rng: random.Random,
    inst: InstitutionSpec,
    template: Template,
    maker: int | None,
    *,
    fees: tuple[int, int, int],
    serial: int,
) -> InstrumentPlan:
    """One registry entry from a template; also used by the synthetic scale data."""
    manufacturer, model, country = template.makers[
        maker if maker is not None else rng.randrange(len(template.makers))
    ]
    lo, hi = template.value
    value = Decimal(rng.randrange(lo * 100, hi * 100 + 1)) / 100
    share_mode = rng.choices(("external", "internal", "none"), weights=(80, 12, 8))[0]
    status = rng.choices(tuple(STATUS_WEIGHTS), weights=tuple(STATUS_WEIGHTS.values()))[0]
    special = template.category.startswith(("09", "08")) or rng.random() < 0.2
    days = (LAST_START - FIRST_START).days
    return InstrumentPlan(
        institution=inst.code,
        name_zh=template.zh,
        name_en=template.en,
        category_code=template.category,
        original_value=value,
        manufacturer=manufacturer,
        model=model,
        country=country,
        service_start=FIRST_START + timedelta(days=rng.randrange(days + 1)),
        instrument_type="special" if special else "general",
        specs=template.specs,
        functions=template.functions,
        subject_areas=list(template.subjects),
        building=rng.choice(BUILDINGS),
        room=f"{rng.choice('ABC')}{rng.randrange(1, 6)}{rng.randrange(1, 30):02d}",
        contact_name=_person(rng),
        contact_phone=_phone(rng, inst.region),
        contact_email=f"lab{serial:03d}@{inst.code}.demo.instrument-share.org",
        fee_standard=_fee_text(fees),
        sharing_rules=SHARING_RULES[share_mode],
        share_mode=share_mode,
        status=status,
        hours=rng.choices(("office", "always", "extended"), weights=(80, 12, 8))[0],
    )


def _institution_instruments(
    rng: random.Random, inst: InstitutionSpec, fees: tuple[int, int, int]
) -> list[InstrumentPlan]:
    rows: list[InstrumentPlan] = []
    for serial, (key, maker) in enumerate(inst.pinned, start=1):
        row = make_instrument(rng, inst, BY_KEY[key], maker, fees=fees, serial=serial)
        # Pinned instruments are the demo's showcase: bookable and in working order.
        rows.append(row._replace(share_mode="external", status="normal"))
    for serial in range(len(inst.pinned) + 1, inst.size + 1):
        rows.append(
            make_instrument(rng, inst, _template(rng, inst.focus), None, fees=fees, serial=serial)
        )
    return rows


def build_demo(seed: int = DEMO_SEED) -> DemoPlan:
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    contacts: dict[str, tuple[str, str, str]] = {}
    instruments: list[InstrumentPlan] = []
    policies: list[PolicyPlan] = []
    for inst in INSTITUTIONS:
        fees = rng.choice(FEE_TIERS)
        contacts[inst.code] = (
            _person(rng),
            _phone(rng, inst.region),
            f"share@{inst.code}.demo.instrument-share.org",
        )
        policies.append(PolicyPlan(inst.code, *fees))
        instruments.extend(_institution_instruments(rng, inst, fees))
    return DemoPlan(INSTITUTIONS, contacts, instruments, policies)
