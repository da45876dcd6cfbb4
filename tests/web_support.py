"""Fixtures for the pages: a small world of institutions, people and instruments, and helpers
to log in through the login form (so the session and its CSRF token are real)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from service.db import Database
from tests.factories import PASSWORD, make_institution, make_instrument, make_user, unique

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass
class World:
    jlu: int
    ciac: int
    yanbian: int
    instrument: int
    twin: int
    instrument_name: str
    manager: str
    inst_admin: str
    researcher_jlu: str
    researcher_ciac: str
    researcher_yanbian: str
    platform_admin: str
    manager_id: int
    researcher_jlu_id: int
    ciac_instrument: int
    ciac_instrument_name: str
    ciac_admin: str
    researcher_yanbian_id: int


async def open_all_week(db: Database, instrument_id: int) -> None:
    for weekday in range(1, 8):
        await db.execute(
            "INSERT INTO opening_hours (instrument_id, weekday, opens, closes) VALUES ($1, $2, $3, $4)",
            instrument_id,
            weekday,
            time(6, 0),
            time(22, 0),
        )


async def _own_subclass(db: Database) -> str:
    """A sub-class of a test class for this world only, so that the twin is the one alternative
    offered, whatever instruments other tests left in the shared database."""
    await db.execute(
        "INSERT INTO category (code, name_zh, name_en) VALUES ('97', '页面测试类', 'Page tests') "
        "ON CONFLICT DO NOTHING"
    )
    code: str = await db.fetchval(
        """INSERT INTO category (code, parent_code, name_zh, name_en)
           SELECT '97' || lpad((count(*) + 1)::text, 2, '0'), '97', '页面测试子类', 'Page test sub-class'
           FROM category WHERE parent_code = '97'
           RETURNING code"""
    )
    return code


async def build_world(db: Database) -> World:
    tag = unique("w")
    jlu = await make_institution(db, region="220100", name=f"吉林大学{tag}")
    ciac = await make_institution(
        db, region="220100", kind="research_institute", name=f"应化所{tag}"
    )
    yanbian = await make_institution(db, region="222400", name=f"延边大学{tag}")
    name = f"液相色谱质谱联用仪{tag}"
    category = await _own_subclass(db)
    instrument = await make_instrument(
        db, jlu, category=category, name_zh=name, name_en=f"LC-MS {tag}", model="Q Exactive",
        manufacturer="Thermo", specs="分辨率 140000", contact_name="王老师",
    )  # fmt: skip
    twin = await make_instrument(db, jlu, category=category, name_zh=f"气相色谱质谱仪{tag}",
                                 name_en=f"GC-MS {tag}")  # fmt: skip
    for item in (instrument, twin):
        await open_all_week(db, item)
    manager = await make_user(
        db, jlu, manages=[instrument, twin], email=f"manager-{tag}@jlu.example.org"
    )
    inst_admin = await make_user(db, jlu, admin_of=[jlu], email=f"admin-{tag}@jlu.example.org")
    r_jlu = await make_user(db, jlu, email=f"r-{tag}@jlu.example.org")
    r_ciac = await make_user(db, ciac, email=f"r-{tag}@ciac.example.org")
    r_yb = await make_user(db, yanbian, email=f"r-{tag}@yanbian.example.org")
    admin = await make_user(db, jlu, platform_admin=True, email=f"pa-{tag}@example.org")
    ciac_name = f"应化所核磁共振谱仪{tag}"
    ciac_instrument = await make_instrument(db, ciac, category="0106", name_zh=ciac_name,
                                            name_en=f"CIAC NMR {tag}")  # fmt: skip
    ciac_admin = await make_user(db, ciac, admin_of=[ciac], email=f"admin-{tag}@ciac.example.org")
    return World(
        jlu,
        ciac,
        yanbian,
        instrument,
        twin,
        name,
        manager.email,
        inst_admin.email,
        r_jlu.email,
        r_ciac.email,
        r_yb.email,
        admin.email,
        manager.id,
        r_jlu.id,
        ciac_instrument,
        ciac_name,
        ciac_admin.email,
        r_yb.id,
    )


def tomorrow_at(hour: int, days: int = 1) -> datetime:
    """A wall-clock hour in Shanghai `days` days from now, as an aware UTC instant."""
    local = datetime.now(SHANGHAI).date() + timedelta(days=days)
    return datetime.combine(local, time(hour, 0), tzinfo=SHANGHAI).astimezone(UTC)


def local_input(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")


CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_FIELD.search(html)
    assert match, "the page carries no CSRF token"
    return match.group(1)


async def login(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> str:
    """Log in through the form; returns the session's CSRF token."""
    page = await client.get("/login")
    response = await client.post(
        "/login", data={"email": email, "password": password, "csrf_token": csrf_from(page.text)}
    )
    assert response.status_code == 303, response.text
    home = await client.get("/bookings")
    return csrf_from(home.text)


@asynccontextmanager
async def signed_in(app: Any, email: str) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    """A cookie-keeping client logged in through the form, and its CSRF token."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c, await login(c, email)


async def past_booking(
    db: Database, instrument_id: int, user_id: int, start: datetime, hours: int = 2,
    status: str = "completed",
) -> int:  # fmt: skip
    """A booking that already happened, written directly (the engine refuses past times)."""
    row = await db.fetchrow(
        """SELECT u.institution_id, n.region_code FROM app_user u
           JOIN institution n ON n.id = u.institution_id WHERE u.id = $1""",
        user_id,
    )
    assert row is not None
    end = start + timedelta(hours=hours)
    return int(
        await db.fetchval(
            """INSERT INTO booking (instrument_id, user_id, starts_at, ends_at, occupied_until,
                   status, booker_institution_id, booker_region_code)
               VALUES ($1, $2, $3, $4, $4, $5, $6, $7) RETURNING id""",
            instrument_id, user_id, start, end, status, row["institution_id"], row["region_code"],
        )
    )  # fmt: skip
