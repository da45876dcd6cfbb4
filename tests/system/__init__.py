"""The multi-process fault harness: `make system` (or `pytest -m system tests/system`).

One cluster serves the whole package (`conftest.stage`): its own PostgreSQL in a temporary
directory, three uvicorn servers, two `python -m service worker` schedulers and an SMTP server,
all on loopback. The scenarios run in file order (herd, kill, outage, reminders), each ending
with invariant queries on the database; the figures they measured are printed at the end of
the run. When a scenario fails, the processes' logs are kept and their directory is printed.
"""
