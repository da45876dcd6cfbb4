"""Gauges read from the database at scrape time.

Jobs may run in a separate scheduler process (or several), whose in-process counters this web
process never sees; what every process shares is the database. So scheduler health (runs per
outcome over the last day, age of the last successful run) and the outbox backlog are read
from `job_run` and `notification_outbox` when `/metrics` is scraped. Mail delivery's own
health (the shared circuit breaker, the age of the oldest undelivered notice) comes from the
same place, so an alert on "mail outage" or "notices waiting for more than N minutes" works
whichever process is scraped.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from service.common.time import utcnow
from service.db import Database
from service.notifications import circuit
from service.notifications.admin import STATES as OUTBOX_STATES
from service.ops import sql


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
    for row in await db.fetch(sql.JOB_RUNS_LAST_DAY):
        runs.add_metric([row["job"], "ok"], row["ok"])
        runs.add_metric([row["job"], "failed"], row["failed"])
        if row["age"] is not None:
            age.add_metric([row["job"]], float(row["age"]))
    by_state = dict.fromkeys(OUTBOX_STATES, 0)
    for row in await db.fetch(sql.OUTBOX_BY_STATE):
        by_state[row["state"]] = row["n"]
    for state, n in by_state.items():
        outbox.add_metric([state], n)
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Snapshot([runs, age, outbox, *await _mail_gauges(db)]))
    return generate_latest(registry)


async def _mail_gauges(db: Database) -> list[GaugeMetricFamily]:
    now = utcnow()
    mail = await circuit.status(db, now)
    oldest = GaugeMetricFamily(
        "instrument_share_outbox_oldest_undelivered_age_seconds",
        "Seconds since the oldest undelivered (pending) notice fell due; 0 when none waits",
        value=mail.oldest_undelivered_seconds,
    )
    outage = GaugeMetricFamily(
        "instrument_share_mail_outage",
        "1 while the mail server is unreachable and the outbox is held (circuit open), else 0",
        value=1.0 if mail.degraded else 0.0,
    )
    lasted = (now - mail.since).total_seconds() if mail.degraded and mail.since else 0.0
    outage_age = GaugeMetricFamily(
        "instrument_share_mail_outage_seconds",
        "How long the current mail outage has lasted; 0 when there is none",
        value=max(0.0, lasted),
    )
    return [oldest, outage, outage_age]
