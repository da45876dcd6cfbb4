"""Instrument list: every filter, sorting, totals, pagination and refused inputs."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from service.db import Database
from tests.catalog_support import CatalogWorld, build_world

URL = "/api/v1/instruments"


@pytest.fixture(scope="module")
async def world(db: Database) -> CatalogWorld:
    return await build_world(db)


async def _ids(client: httpx.AsyncClient, w: CatalogWorld, **params: Any) -> list[int]:
    response = await client.get(URL, params={"q": w.token, "page_size": 50, **params})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == len(body["items"])
    return [item["id"] for item in body["items"]]


def _keys(w: CatalogWorld, ids: list[int]) -> set[str]:
    by_id = {v: k for k, v in w.instruments.items()}
    return {by_id[i] for i in ids}


async def test_search_by_chinese_and_english_words(
    client: httpx.AsyncClient, world: CatalogWorld
) -> None:
    w = world
    assert _keys(w, await _ids(client, w)) == set(w.instruments)
    assert _keys(w, await _ids(client, w, q=f"质谱 {w.token}")) == {"ms_a", "ms_b"}
    assert _keys(w, await _ids(client, w, q=f"MASS Spectrometer {w.token}")) == {"ms_a", "ms_b"}
    assert _keys(w, await _ids(client, w, q=f"model-nmr_a {w.token}")) == {"nmr_a"}
    assert _keys(w, await _ids(client, w, q=f"thermo {w.token}")) == {"ms_a", "ms_b"}
    assert await _ids(client, w, q=f"质谱 nothing-like-this {w.token}") == []


async def test_metacharacters_separate_words_and_are_never_wildcards(
    client: httpx.AsyncClient, world: CatalogWorld
) -> None:
    # Search matches segmented words: "%" and "_" are neither LIKE wildcards nor search terms.
    assert await _ids(client, world, q="%") == []
    assert _keys(world, await _ids(client, world, q=f"% {world.token}")) == set(world.instruments)
    assert _keys(world, await _ids(client, world, q=f"model_ms {world.token}")) == {"ms_a", "ms_b"}
    assert _keys(world, await _ids(client, world, q=f"model-nmr {world.token}")) == {"nmr_a"}


async def test_region_institution_and_category_filters(
    client: httpx.AsyncClient, world: CatalogWorld
) -> None:
    w = world
    assert _keys(w, await _ids(client, w, region="220100")) == {"ms_a", "nmr_a", "sem_a", "mech_a"}
    assert _keys(w, await _ids(client, w, region="222400")) == {"ms_b", "ct_b"}
    assert _keys(w, await _ids(client, w, institution=w.inst_b)) == {"ms_b", "ct_b"}
    assert _keys(w, await _ids(client, w, category="01")) == {"ms_a", "nmr_a", "sem_a", "ms_b"}
    assert _keys(w, await _ids(client, w, category="0102")) == {"ms_a", "ms_b"}
    assert _keys(w, await _ids(client, w, category="0102", region="220100")) == {"ms_a"}
    assert _keys(w, await _ids(client, w, category="09")) == {"ct_b"}
    assert await _ids(client, w, category="0103") == []


async def test_enum_and_value_filters(client: httpx.AsyncClient, world: CatalogWorld) -> None:
    w = world
    assert _keys(w, await _ids(client, w, share_mode="internal")) == {"nmr_a"}
    assert _keys(w, await _ids(client, w, share_mode="none,internal")) == {"nmr_a", "sem_a"}
    assert _keys(w, await _ids(client, w, status="remote")) == {"ct_b"}
    assert _keys(w, await _ids(client, w, type="special")) == {"nmr_a", "ms_b", "ct_b"}
    assert _keys(w, await _ids(client, w, value_min="1000")) == {"nmr_a", "ms_b", "ct_b"}
    assert _keys(w, await _ids(client, w, value_max="300")) == {"sem_a", "mech_a"}
    both = await _ids(client, w, value_min="300", value_max="1200.50")
    assert _keys(w, both) == {"sem_a", "ms_a", "nmr_a"}


async def test_sort_orders(client: httpx.AsyncClient, world: CatalogWorld) -> None:
    w = world
    by_value = _keys_in_order(w, await _ids(client, w, sort="value"))
    assert by_value == ["mech_a", "sem_a", "ms_a", "nmr_a", "ct_b", "ms_b"]
    assert _keys_in_order(w, await _ids(client, w, sort="-value")) == by_value[::-1]
    newest = _keys_in_order(w, await _ids(client, w, sort="newest"))
    assert newest == ["ct_b", "ms_b", "mech_a", "sem_a", "nmr_a", "ms_a"]
    by_region = _keys_in_order(w, await _ids(client, w, sort="region"))
    assert set(by_region[:4]) == {"ms_a", "nmr_a", "sem_a", "mech_a"}
    response = await client.get(URL, params={"q": w.token, "sort": "name"})
    names = [item["name_zh"] for item in response.json()["items"]]
    assert names == sorted(names)


def _keys_in_order(w: CatalogWorld, ids: list[int]) -> list[str]:
    by_id = {v: k for k, v in w.instruments.items()}
    return [by_id[i] for i in ids]


async def test_pagination_and_totals(client: httpx.AsyncClient, world: CatalogWorld) -> None:
    params: dict[str, Any] = {"q": world.token, "sort": "value", "page_size": 4}
    first = (await client.get(URL, params={**params, "page": 1})).json()
    second = (await client.get(URL, params={**params, "page": 2})).json()
    beyond = await client.get(URL, params={**params, "page": 9})
    assert (first["total"], len(first["items"]), first["page"], first["page_size"]) == (6, 4, 1, 4)
    assert (second["total"], len(second["items"]), second["page"]) == (6, 2, 2)
    assert beyond.status_code == 200
    assert beyond.json()["items"] == [] and beyond.json()["total"] == 6
    ids = [i["id"] for i in first["items"] + second["items"]]
    assert len(set(ids)) == 6


async def test_items_carry_names_codes_and_zone(
    client: httpx.AsyncClient, world: CatalogWorld
) -> None:
    body = (await client.get(URL, params={"q": world.token, "category": "0901"})).json()
    (item,) = body["items"]
    assert item["institution_id"] == world.inst_b and item["region_code"] == "222400"
    assert item["region_name_zh"] == "延边朝鲜族自治州" and item["timezone"] == "Asia/Shanghai"
    assert item["category_name_zh"] == "影像诊断仪器" and item["category_code"] == "0901"
    assert item["institution_name_en"] and item["institution_code"]
    assert item["original_value"] == "1500.00" and item["share_mode"] == "external"
    assert item["status"] == "remote" and item["retired"] is False


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({"share_mode": "public"}, "internal, external, none"),
        ({"status": "broken"}, "awaiting_scrap"),
        ({"sort": "price"}, "newest"),
        ({"type": "both"}, "general"),
        ({"region": "999999"}, "region"),
        ({"category": "99"}, "category"),
        ({"institution": "987654321"}, "institution"),
        ({"value_min": "10", "value_max": "5"}, "value_min"),
        ({"value_min": "-1"}, "value_min"),
    ],
)
async def test_unknown_filter_values_are_422(
    client: httpx.AsyncClient, params: dict[str, str], needle: str
) -> None:
    response = await client.get(URL, params=params)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert needle in response.json()["detail"]


@pytest.mark.parametrize(
    "params",
    [
        {"page": "0"},
        {"page": "-3"},
        {"page_size": "201"},
        {"page_size": "0"},
        {"page": "abc"},
        {"institution": "x"},
        {"value_min": "lots"},
        {"include_retired": "maybe"},
        {"q": "x" * 201},
    ],
)
async def test_bad_parameters_are_422(client: httpx.AsyncClient, params: dict[str, str]) -> None:
    response = await client.get(URL, params=params)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_reference_lists(client: httpx.AsyncClient) -> None:
    regions = (await client.get("/api/v1/regions")).json()
    by_code = {r["code"]: r for r in regions}
    assert by_code["RU-VVO"]["timezone"] == "Asia/Vladivostok"
    assert by_code["220100"]["parent_code"] == "220000" and by_code["220100"]["name_en"]
    tree = (await client.get("/api/v1/categories")).json()
    # Other tests may add their own classes to the shared database; the 15 national ones come
    # first and in order.
    assert [c["code"] for c in tree][:15] == [f"{i:02d}" for i in range(1, 16)]
    analytic = tree[0]
    # the twelve 中类 of version 0.1.0 keep their codes; 0199 (其他) was added with the 小类
    middles = [c["code"] for c in analytic["children"]]
    assert analytic["name_zh"] == "分析仪器" and middles == [
        *(f"01{i:02d}" for i in range(1, 13)),
        "0199",
    ]
    mass = analytic["children"][1]
    assert (mass["code"], mass["name_zh"], mass["name_en"]) == (
        "0102",
        "质谱仪器",
        "Mass spectrometry",
    )
    small = {c["code"]: c for c in mass["children"]}
    assert small["010201"]["name_zh"] == "气相色谱-质谱联用仪" and small["010201"]["children"] == []
    assert "010299" in small and all(len(code) == 6 for code in small)
