"""SQL of the scheduler: claiming and finishing job runs, and the maintenance purges."""

PURGE_IDEMPOTENCY_KEYS = "DELETE FROM idempotency_key WHERE expires_at <= $1"

PURGE_SESSIONS = "DELETE FROM user_session WHERE expires_at <= $1"

PURGE_LOGIN_FAILURES = "DELETE FROM login_failure WHERE failed_at < $1"

PURGE_REVOKED_FEEDS = "DELETE FROM feed_token WHERE revoked_at IS NOT NULL AND revoked_at < $1"

PURGE_JOB_RUNS = "DELETE FROM job_run WHERE started_at < $1"

PURGE_SSO_REQUESTS = "DELETE FROM sso_request WHERE expires_at < $1"

FAIL_ABANDONED_RUNS = """UPDATE job_run SET outcome = 'failed', finished_at = clock_timestamp(),
                              error = 'abandoned: the process running it stopped'
           WHERE outcome = 'running' AND started_at < $1"""

CLAIM_TICK = """INSERT INTO job_run (job, tick, host, pid) VALUES ($1, $2, $3, $4)
           ON CONFLICT (job, tick) DO NOTHING RETURNING id"""

FINISH_RUN = """UPDATE job_run SET finished_at = clock_timestamp(), outcome = $2, counts = $3,
                              error = $4
           WHERE id = $1"""

LAST_RUNS = """SELECT j.name AS job, r.tick, r.started_at, r.finished_at, r.outcome, r.counts,
                  r.error, r.host, r.pid,
                  (SELECT max(ok.started_at) FROM job_run ok
                   WHERE ok.job = j.name AND ok.outcome = 'ok') AS last_ok_at
           FROM unnest($1::text[]) AS j(name)
           CROSS JOIN LATERAL (
               SELECT * FROM job_run r WHERE r.job = j.name
               ORDER BY r.started_at DESC, r.id DESC LIMIT 1
           ) AS r"""

#: NULL when the table is not installed (a part of the product left out).
TABLE_EXISTS = "SELECT to_regclass($1)"
