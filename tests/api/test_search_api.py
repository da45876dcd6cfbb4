"""Search over HTTP: bad input, the free-time search, suggestions, admin synonyms, and an index
that follows every write (API, plain SQL through the queue and job, class changes)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from service.db import Database
from service.search import index
from tests.factories import make_institution, make_instrument, make_user, unique
from tests.web_support import signed_in

URL = "/api/v1/instruments"


def _token() -> str:
    return unique("kw").replace("-", "")


async def _ids(client: httpx.AsyncClient, q: str, url: str = URL, **params: str) -> list[int]:
    response = await client.get(url, params={"q": q, "page_size": 100, **params})
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


@pytest.mark.parametrize(
    "q",
    [
        "!!!",
        "%_%",
        "'; DROP TABLE instrument; --",
        ".*(a|b)+$",
        "\\\\ ' \" ` ; -- /* */",
        "TEM透射电镜 микроскоп ﾃｽﾄ 𝔸",
        "\u0000x",
        "电" * 199,
    ],
)
async def test_odd_queries_answer_200(client: httpx.AsyncClient, q: str) -> None:
    for url in (URL, "/api/v1/search/suggestions"):
        response = await client.get(url, params={"q": q})
        assert response.status_code == 200, (url, q, response.text)


async def test_punctuation_alone_finds_nothing(client: httpx.AsyncClient) -> None:
    body = (await client.get(URL, params={"q": "!!! ，。？"})).json()
    assert body["items"] == [] and body["total"] == 0


async def test_too_long_and_too_many_terms_are_422_naming_the_limit(
    client: httpx.AsyncClient,
) -> None:
    long = await client.get(URL, params={"q": "x" * 500})
    assert long.status_code == 422 and "200" in long.text
    many = await client.get(URL, params={"q": " ".join(f"w{n}" for n in range(20))})
    assert many.status_code == 422 and "at most 12 terms" in many.json()["detail"]
    free = await client.get(
        "/api/v1/availability/search",
        params={
            "q": "y" * 500,
            "start": "2030-01-07T09:00:00+08:00",
            "end": "2030-01-07T10:00:00+08:00",
        },
    )
    assert free.status_code == 422


async def test_the_free_time_search_uses_the_same_search(
    client: httpx.AsyncClient, db: Database
) -> None:
    token = _token()
    inst = await make_institution(db)
    tem = await make_instrument(db, inst, category="0101", name_zh=f"透射电子显微镜 {token}")
    nmr = await make_instrument(db, inst, category="0106", name_zh=f"核磁共振波谱仪 {token}")
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)
    window = {"start": start.isoformat(), "end": (start + timedelta(hours=2)).isoformat()}
    url = "/api/v1/availability/search"
    assert set(await _ids(client, token, url, **window)) == {tem, nmr}
    assert await _ids(client, f"TEM {token}", url, **window) == [tem]
    assert await _ids(client, f"核磁 {token}", url, **window) == [nmr]
    page = await client.get(
        "/instruments", params={"q": f"透射电镜 {token}", "free_from": "2031-01-07T09:00",
                                "free_to": "2031-01-07T11:00"},
    )  # fmt: skip
    assert page.status_code == 200 and f"/instruments/{tem}" in page.text
    assert f"/instruments/{nmr}" not in page.text


async def test_suggestions_offer_names_and_classes_while_typing(
    client: httpx.AsyncClient, db: Database
) -> None:
    token = _token()
    inst = await make_institution(db)
    await make_instrument(db, inst, category="0101", name_zh=f"冷冻透射电子显微镜{token}")
    await make_instrument(db, inst, category="0102", name_zh=f"质谱仪 {token}")
    names = await client.get("/api/v1/search/suggestions", params={"q": token[:-2]})
    found = [s["name_zh"] for s in names.json()]
    assert f"冷冻透射电子显微镜{token}" in found and len(found) <= 8
    await index.refresh(db)
    classes = (await client.get("/api/v1/search/suggestions", params={"q": "质谱仪"})).json()
    assert {"kind": "category", "category_code": "0102"}.items() <= next(
        s for s in classes if s["kind"] == "category"
    ).items()
    fragment = await client.get("/instruments/suggest", params={"q": token[:-2]})
    assert 'role="listbox"' in fragment.text and 'role="option"' in fragment.text


async def test_plain_sql_writes_are_indexed_by_the_job(
    client: httpx.AsyncClient, db: Database
) -> None:
    token = _token()
    inst = await make_institution(db)
    new_id = await db.fetchval(
        """INSERT INTO instrument (institution_id, name_zh, category_code, original_value)
           VALUES ($1, $2, '0103', 100) RETURNING id""",
        inst,
        f"X射线衍射仪 {token}",
    )
    assert await _ids(client, f"XRD {token}") == []
    await index.refresh(db)
    assert await _ids(client, f"XRD {token}") == [new_id]
    await db.execute(
        "UPDATE instrument SET name_zh = $1 WHERE id = $2", f"拉曼光谱仪 {token}", new_id
    )
    await index.refresh(db)
    assert await _ids(client, f"XRD {token}") == [] and await _ids(client, f"Raman {token}") == [
        new_id
    ]


async def test_api_writes_are_searchable_when_they_commit(
    client: httpx.AsyncClient, db: Database
) -> None:
    token = _token()
    inst = await make_institution(db)
    admin = await make_user(db, inst, admin_of=[inst])
    body = {"institution_id": inst, "name_zh": f"气相色谱-质谱联用仪 {token}", "name_en": "",
            "category_code": "0102", "original_value": "120.00"}  # fmt: skip
    created = await client.post(URL, json=body, headers=admin.headers)
    assert created.status_code == 201, created.text
    new_id = created.json()["id"]
    assert await _ids(client, f"气质 {token}") == [new_id]
    patched = await client.patch(
        f"{URL}/{new_id}", json={"name_zh": f"矢量网络分析仪 {token}"}, headers=admin.headers
    )
    assert patched.status_code == 200
    assert await _ids(client, f"气质 {token}") == [] and await _ids(client, f"网分 {token}") == [
        new_id
    ]


async def test_a_class_is_found_by_its_name_and_follows_a_rename(
    client: httpx.AsyncClient, db: Database
) -> None:
    token = _token()
    code = f"15{int(token[-6:], 16) % 90 + 10:02d}"
    await db.execute(
        "INSERT INTO category (code, parent_code, name_zh, name_en) VALUES ($1, '15', $2, $3) "
        "ON CONFLICT (code) DO UPDATE SET name_zh = EXCLUDED.name_zh, name_en = EXCLUDED.name_en",
        code, f"样品仓{token}", f"sample vault {token}",
    )  # fmt: skip
    inst = await make_institution(db)
    member = await make_instrument(db, inst, category=code, name_zh=f"某设备 {token}")
    assert member in await _ids(client, f"样品仓{token}")
    await db.execute("UPDATE category SET name_zh = $1 WHERE code = $2", f"新名称{token}", code)
    await index.refresh(db)
    assert member in await _ids(client, f"新名称{token}")
    assert await _ids(client, f"样品仓{token}") == []


async def test_platform_admins_extend_the_dictionary(
    client: httpx.AsyncClient, db: Database
) -> None:
    token = _token()
    inst = await make_institution(db)
    target = await make_instrument(db, inst, category="0104", name_zh=f"太赫兹时域光谱仪 {token}")
    admin = await make_user(db, inst, platform_admin=True)
    researcher = await make_user(db, inst)
    entry = {"concept": f"thz-{token}", "terms": ["太赫兹时域光谱仪", f"thz{token}"]}
    refused = await client.post("/api/v1/search/synonyms", json=entry, headers=researcher.headers)
    assert refused.status_code == 403
    bad = await client.post(
        "/api/v1/search/synonyms", json={**entry, "broader": ["no-such-concept"]},
        headers=admin.headers,
    )  # fmt: skip
    assert bad.status_code == 422 and "no-such-concept" in bad.text
    assert await _ids(client, f"thz{token}") == []
    added = await client.post("/api/v1/search/synonyms", json=entry, headers=admin.headers)
    assert added.status_code == 201, added.text
    assert await _ids(client, f"thz{token}") == [target]
    listed = (await client.get("/api/v1/search/synonyms")).json()
    assert any(c["key"] == f"thz-{token}" and c["source"] == "custom" for c in listed["concepts"])
    assert listed["up_to_date"] is True
    removed = await client.delete(
        f"/api/v1/search/synonyms/{added.json()['id']}", headers=admin.headers
    )
    assert removed.status_code == 204
    assert await _ids(client, f"thz{token}") == []


async def test_the_admin_page_adds_and_removes_entries(app: Any, db: Database) -> None:
    token = _token()
    inst = await make_institution(db)
    admin = await make_user(db, inst, platform_admin=True)
    async with signed_in(app, admin.email) as (client, csrf):
        page = await client.get("/admin/search")
        assert page.status_code == 200 and "tem" in page.text
        posted = await client.post(
            "/admin/search/synonyms",
            data={"concept": f"Vault-{token}", "terms": f"库房{token}\nvault{token}",
                  "broader": "", "note": "", "csrf_token": csrf},
        )  # fmt: skip
        assert posted.status_code == 303
        page = await client.get("/admin/search")
        assert f"vault-{token}" in page.text and f"库房{token}" in page.text
        bad = await client.post(
            "/admin/search/synonyms", data={"concept": "!!", "terms": "x", "csrf_token": csrf}
        )
        assert bad.status_code == 422
