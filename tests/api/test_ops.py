"""Operations endpoints and the uniform error shape."""

from __future__ import annotations

import httpx

from service.db import Database


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


async def test_prometheus_metrics(client: httpx.AsyncClient, db: Database) -> None:
    await db.execute(
        """INSERT INTO job_run (job, tick, finished_at, outcome)
           VALUES ('metrics-probe', now(), now(), 'ok'), ('metrics-probe', now() - interval '1 minute',
                   now(), 'failed')"""
    )
    response = await client.get("/metrics")
    assert response.status_code == 200
    text = response.text
    assert "instrument_share_job_runs_total" in text or "instrument_share_job_runs" in text
    # Scheduler health comes from the database, so a separate scheduler process is visible.
    assert 'instrument_share_job_runs_24h{job="metrics-probe",outcome="ok"} 1.0' in text
    assert 'instrument_share_job_runs_24h{job="metrics-probe",outcome="failed"} 1.0' in text
    assert 'instrument_share_job_last_success_age_seconds{job="metrics-probe"}' in text
    assert "instrument_share_outbox_rows" in text


async def test_ids_beyond_64_bits_are_client_errors(
    client: httpx.AsyncClient, db: Database
) -> None:
    from tests.factories import make_institution, make_user

    user = await make_user(db, await make_institution(db))
    huge = "9405952951655756234213568806912"
    for method, path in [
        ("POST", f"/api/v1/instruments/{huge}/calendar/import?dry_run=true"),
        (
            "GET",
            f"/api/v1/instruments/{huge}/availability?from=2030-01-01T00:00:00Z&to=2030-01-02T00:00:00Z",
        ),
        ("GET", f"/api/v1/bookings/{huge}"),
        ("GET", f"/api/v1/instruments/{huge}"),
    ]:
        response = await client.request(
            method, path, headers={**user.headers, "content-type": "text/calendar"}, content=b""
        )
        assert 400 <= response.status_code < 500, (path, response.status_code, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
