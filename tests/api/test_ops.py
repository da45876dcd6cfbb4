"""Operations endpoints and the uniform error shape."""

from __future__ import annotations

import httpx


async def test_live_and_ready(client: httpx.AsyncClient) -> None:
    live = await client.get("/health/live")
    assert live.status_code == 200 and live.json() == {"status": "ok"}
    ready = await client.get("/health/ready")
    assert ready.status_code == 200 and ready.json()["database"] == "ok"


async def test_unknown_path_is_problem_json(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/does-not-exist")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == 404 and body["type"].endswith("/not-found") and body["title"]


async def test_wrong_method_is_problem_json(client: httpx.AsyncClient) -> None:
    response = await client.delete("/health/live")
    assert response.status_code == 405
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_openapi_schema_served(client: httpx.AsyncClient) -> None:
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Instrument Share API"


async def test_prometheus_metrics(client: httpx.AsyncClient) -> None:
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert "instrument_share_job_runs" in response.text
