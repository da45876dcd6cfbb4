"""Process-wide Prometheus counters (prometheus_client), rendered at `/metrics`."""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, generate_latest

REGISTRY = CollectorRegistry(auto_describe=True)

HTTP_RESPONSES = Counter(
    "instrument_share_http_responses",
    "HTTP responses by status class",
    ["status_class"],
    registry=REGISTRY,
)
JOB_RUNS = Counter(
    "instrument_share_job_runs",
    "Scheduled job runs by job and outcome",
    ["job", "outcome"],
    registry=REGISTRY,
)
JOB_ITEMS = Counter(
    "instrument_share_job_items",
    "Items processed by scheduled jobs",
    ["job", "what"],
    registry=REGISTRY,
)
BOOKING_OUTCOMES = Counter(
    "instrument_share_booking_attempts",
    "Booking attempts by outcome",
    ["outcome"],
    registry=REGISTRY,
)


def render() -> tuple[bytes, str]:
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
