"""Gauges read from the database at scrape time.

Jobs may run in a separate scheduler process (or several), whose in-process counters this web
process never sees; what every process shares is the database. So scheduler health (runs per
outcome over the last day, age of the last successful run) and the outbox backlog are read
from `job_run` and `notification_outbox` when `/metrics` is scraped.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from service.db import Database

_JOB_SQL = """
SELECT job,
       count(*) FILTER (WHERE outcome = 'ok') AS ok,
       count(*) FILTER (WHERE outcome = 'failed') AS failed,
       extract(epoch FROM now() - max(finished_at) FILTER (WHERE outcome = 'ok')) AS age
FROM job_run WHERE started_at > now() - interval '24 hours'
GROUP BY job ORDER BY job
"""
_OUTBOX_SQL = "SELECT state, count(*) AS n FROM notification_outbox GROUP BY state ORDER BY state"


class _Snapshot(Collector):
    def __init__(self, families: list[GaugeMetricFamily]) -> None:
        self.families = families

    def collect(self):  # type: ignore[no-untyped-def]
        yield from self.families


async def render_db_gauges(db: Database) -> bytes:
    runs = GaugeMetricFamily(
        "instrument_share_job_runs_24h",
        "Scheduled job runs in the last 24 h",
        labels=["job", "outcome"],
    )
    age = GaugeMetricFamily(
        "instrument_share_job_last_success_age_seconds",
        "Seconds since the job last finished successfully (within 24 h)",
        labels=["job"],
    )
    outbox = GaugeMetricFamily(
        "instrument_share_outbox_rows", "Outbox rows by delivery state", labels=["state"]
    )
    for row in await db.fetch(_JOB_SQL):
        runs.add_metric([row["job"], "ok"], row["ok"])
        runs.add_metric([row["job"], "failed"], row["failed"])
        if row["age"] is not None:
            age.add_metric([row["job"]], float(row["age"]))
    for row in await db.fetch(_OUTBOX_SQL):
        outbox.add_metric([row["state"]], row["n"])
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Snapshot([runs, age, outbox]))
    return generate_latest(registry)
