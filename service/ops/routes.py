"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

import asyncio
from typing import Any

from litestar import MediaType, Request, Response, get

from service.common.time import utcnow
from service.db import Database
from service.notifications import circuit
from service.ops import prometheus
from service.ops.db_metrics import render_db_gauges


@get("/health/live", operation_id="healthLive", tags=["operations"], include_in_schema=True)
async def health_live() -> dict[str, str]:
    return {"status": "ok"}


@get("/health/ready", operation_id="healthReady", tags=["operations"])
async def health_ready(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
    """503 while the database does not answer; the pool reconnects by itself afterwards.

    A mail outage does not make the service unready (the web works, notices wait in the
    outbox): `mail` says `degraded` and `details.mail` says since when and how much waits."""
    db: Database = request.app.state.db
    try:
        mail = await asyncio.wait_for(circuit.status(db, utcnow()), timeout=2)
    except Exception:  # noqa: BLE001 - any failure means "not ready"
        return Response(
            {"status": "unavailable", "database": "unreachable"},
            status_code=503,
            headers={"Retry-After": "2"},
        )
    return Response(
        {
            "status": "ok",
            "database": "ok",
            "mail": "degraded" if mail.degraded else "ok",
            "details": {"mail": mail_details(mail)},
        }
    )


def mail_details(mail: circuit.MailStatus) -> dict[str, Any]:
    details: dict[str, Any] = {
        "undelivered": mail.undelivered,
        "oldest_undelivered_seconds": round(mail.oldest_undelivered_seconds, 1),
    }
    if mail.degraded and mail.since is not None:
        details |= {
            "outage_since": mail.since.isoformat(),
            "failed_probes": mail.failed_probes,
            "last_error": mail.last_error,
        }
    return details


@get("/metrics", operation_id="prometheusMetrics", tags=["operations"], media_type=MediaType.TEXT)
async def metrics(request: Request[Any, Any, Any]) -> Response[bytes]:
    """This process's counters, plus scheduler and outbox gauges read from the database (the
    scheduler may run in another process). Without a database the counters are still served."""
    body, content_type = prometheus.render()
    db: Database = request.app.state.db
    try:
        body += await asyncio.wait_for(render_db_gauges(db), timeout=2)
    except Exception:  # noqa: BLE001 - a scrape must not fail because the database is down
        body += b"# database gauges unavailable\n"
    # The header is given whole: Litestar would append a second `charset` to a text type.
    return Response(body, media_type=MediaType.TEXT, headers={"Content-Type": content_type})


ROUTES = [health_live, health_ready, metrics]
