"""SQL of ops: the figures read for metrics and backups."""

COUNT_PUBLIC_TABLES = "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"

JOB_RUNS_LAST_DAY = """
SELECT job,
       count(*) FILTER (WHERE outcome = 'ok') AS ok,
       count(*) FILTER (WHERE outcome = 'failed') AS failed,
       extract(epoch FROM now() - max(finished_at) FILTER (WHERE outcome = 'ok')) AS age
FROM job_run WHERE started_at > now() - interval '24 hours'
GROUP BY job ORDER BY job
"""

OUTBOX_BY_STATE = (
    "SELECT state, count(*) AS n FROM notification_outbox GROUP BY state ORDER BY state"
)

SERVER_VERSION = "SHOW server_version_num"
