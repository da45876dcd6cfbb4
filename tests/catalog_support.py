"""Shared catalogue fixtures: two institutions with instruments and one user per role.

Instrument names carry a token unique to the test session, so `q=<token>` selects exactly the
instruments made here even though every test shares one database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from service.db import Database
from tests.factories import UserHandle, make_institution, make_instrument, make_user, unique


@dataclass
class CatalogWorld:
    token: str
    inst_a: int
    inst_b: int
    #: name -> id
    instruments: dict[str, int] = field(default_factory=dict)
    users: dict[str, UserHandle] = field(default_factory=dict)


#: (key, institution "a"/"b", category, value, share_mode, status, type, zh, en)
SPECS = [
    ("ms_a", "a", "0102", "850.00", "external", "normal", "general", "液相色谱-质谱联用仪", "LC-MS liquid chromatography-mass spectrometer"),
    ("nmr_a", "a", "0106", "1200.50", "internal", "standby", "special", "600MHz核磁共振波谱仪", "600 MHz NMR spectrometer"),
    ("sem_a", "a", "0101", "300.00", "none", "normal", "general", "场发射扫描电子显微镜", "field-emission scanning electron microscope"),
    ("mech_a", "a", "0201", "60.00", "external", "awaiting_repair", "general", "万能材料试验机", "universal testing machine"),
    ("ms_b", "b", "0102", "2100.00", "external", "normal", "special", "高分辨质谱仪", "high-resolution mass spectrometer"),
    ("ct_b", "b", "0901", "1500.00", "external", "remote", "special", "医用CT", "medical CT scanner"),
]  # fmt: skip


async def build_world(db: Database) -> CatalogWorld:
    token = unique("cw").replace("-", "")
    world = CatalogWorld(
        token=token,
        inst_a=await make_institution(db, region="220100", kind="university"),
        inst_b=await make_institution(db, region="222400", kind="hospital"),
    )
    base = datetime(2026, 1, 1, tzinfo=UTC)
    for n, (key, side, cat, value, mode, status, kind, zh, en) in enumerate(SPECS):
        world.instruments[key] = await make_instrument(
            db,
            world.inst_a if side == "a" else world.inst_b,
            category=cat,
            share_mode=mode,
            name_zh=f"{zh} {token}",
            name_en=f"{en} {token}",
            value=Decimal(value),
            status=status,
            instrument_type=kind,
            model=f"Model-{key}",
            manufacturer="Thermo Fisher" if key.startswith("ms") else "Bruker",
            created_at=base + timedelta(days=n),
        )
    a, b = world.inst_a, world.inst_b
    world.users = {
        "platform": await make_user(db, a, platform_admin=True),
        "admin_a": await make_user(db, a, admin_of=[a]),
        "admin_b": await make_user(db, b, admin_of=[b]),
        "manager_a": await make_user(db, a, manages=[world.instruments["ms_a"]]),
        "researcher_a": await make_user(db, a),
        "researcher_b": await make_user(db, b),
        "evaluator_a": await make_user(db, await make_institution(db), evaluates=[a]),
    }
    return world


def instrument_body(institution_id: int, /, **overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "institution_id": institution_id,
        "name_zh": "X射线衍射仪",
        "name_en": "X-ray diffractometer",
        "category_code": "0103",
        "original_value": "268.40",
        "manufacturer": "Bruker",
        "model": "D8 ADVANCE",
        "country": "德国",
        "service_start": "2019-05-01",
        "specs": "Cu靶，最大功率3kW",
        "functions": "物相分析",
        "subject_areas": ["材料科学"],
        "share_mode": "external",
        "status": "normal",
        "photo_url": "https://example.org/xrd.jpg",
    }
    body.update(overrides)
    return body
