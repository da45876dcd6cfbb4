"""`/metrics` read with Prometheus's own text parser: the response and booking counters and the
duration histograms move with the traffic, and the content type is one Prometheus accepts."""

from __future__ import annotations

from datetime import timedelta

import httpx
from prometheus_client.parser import text_string_to_metric_families

from service.db import Database
from tests.bookings_support import body, book, future_day, local, make_world

RESPONSES = "instrument_share_http_responses_total"
DURATION_COUNT = "instrument_share_http_request_duration_seconds_count"
DURATION_BUCKET = "instrument_share_http_request_duration_seconds_bucket"
BOOKINGS = "instrument_share_booking_attempts_total"


async def scrape(client: httpx.AsyncClient) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    response = await client.get("/metrics")
    assert response.status_code == 200
    samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def value(
    samples: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str
) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def test_content_type_names_one_charset(client: httpx.AsyncClient) -> None:
    response = await client.get("/metrics")
    assert response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"


async def test_responses_are_counted_by_route_template_method_and_status_class(
    client: httpx.AsyncClient, db: Database
) -> None:
    world = await make_world(db)
    path = "/api/v1/instruments/{instrument_id}"
    before = await scrape(client)
    for _ in range(3):
        assert (await client.get(f"/api/v1/instruments/{world.instrument}")).status_code == 200
    assert (await client.get("/api/v1/instruments/9000000000")).status_code == 404
    assert (await client.get("/api/v1/no-such-thing/12345")).status_code == 404
    assert (await client.delete("/health/live")).status_code == 405
    after = await scrape(client)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved(RESPONSES, route=path, method="GET", status_class="2xx") == 3
    assert moved(RESPONSES, route=path, method="GET", status_class="4xx") == 1
    assert moved(RESPONSES, route="unmatched", method="GET", status_class="4xx") == 1
    assert moved(RESPONSES, route="unmatched", method="DELETE", status_class="4xx") == 1
    assert moved(DURATION_COUNT, route=path, method="GET") == 4
    assert moved(DURATION_BUCKET, route=path, method="GET", le="+Inf") == 4
    routes = {dict(labels).get("route") for _, labels in after}
    assert f"/api/v1/instruments/{world.instrument}" not in routes


async def test_booking_attempts_are_counted_by_outcome(
    client: httpx.AsyncClient, db: Database
) -> None:
    world = await make_world(db)
    start = local(future_day(12), 10)
    end = start + timedelta(hours=1)
    before = await scrape(client)
    key = {"Idempotency-Key": "prometheus-replay"}
    first, replay = [
        await client.post(
            "/api/v1/bookings",
            json=body(world.instrument, start, end),
            headers={**world.insider.headers, **key},
        )
        for _ in range(2)
    ]
    assert first.status_code == 201, first.text
    assert replay.status_code == 201 and replay.json()["id"] == first.json()["id"]
    assert (await book(client, world.outsider, world.instrument, start, end)).status_code == 409
    past = local(future_day(-3), 10)
    refused = await book(client, world.outsider, world.instrument, past, past + timedelta(hours=1))
    assert refused.status_code == 422
    after = await scrape(client)

    def moved(outcome: str) -> float:
        return value(after, BOOKINGS, outcome=outcome) - value(before, BOOKINGS, outcome=outcome)

    assert {o: moved(o) for o in ("created", "replayed", "conflict", "refused")} == {
        "created": 1,
        "replayed": 1,
        "conflict": 1,
        "refused": 1,
    }
