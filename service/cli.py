"""`python -m service serve | worker | migrate | seed | jobs | metrics | search | admin | backup |
restore`.

Every command resolves the database the same way: `DATABASE_URL` if set, otherwise the embedded
PostgreSQL under the data directory, started here and stopped on exit.
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import logging
import os
import shutil
import signal
import tempfile
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from dotenv import load_dotenv

from service.db import Database
from service.embedded_db import ensure_database_url
from service.migrate import migrate
from service.ops.logging import configure_logging
from service.settings import Settings

log = logging.getLogger("service.cli")

DEMO_LOGINS = """\
Demo logins (password: demo-password):
  admin@demo.instrument-share.org              platform admin
  inst-admin@jlu.demo.instrument-share.org     institution admin, Jilin University
  manager@jlu.demo.instrument-share.org        instrument manager, Jilin University
  researcher@ciac.demo.instrument-share.org    researcher, CIAC (Changchun)
  researcher@yanbian.demo.instrument-share.org researcher, Yanbian University
  evaluator@demo.instrument-share.org          evaluator (read-only) of Jilin University"""


def _with_db(settings: Settings, work: Callable[[Database], Awaitable[Any]]) -> Any:
    async def run() -> Any:
        db = Database(settings.database_url or "", 1, 4)
        await db.connect()
        try:
            return await work(db)
        finally:
            await db.close()

    return asyncio.run(run())


def _cmd_migrate(settings: Settings, _: argparse.Namespace) -> None:
    migrate(settings.database_url or "")
    print("migrations applied")
    from service.ops import admin_cli

    admin_cli.admin_from_environment(settings)


def _cmd_seed(settings: Settings, args: argparse.Namespace) -> None:
    from service.demo import seed

    if args.demo:
        created = _with_db(settings, seed.seed_demo)
        print("demo data created" if created else "demo data already present")
    if args.scale:
        count = _with_db(settings, lambda db: seed.seed_scale(db, args.scale, args.bookings))
        print(f"synthetic data: {count} instruments")
    if not args.demo and not args.scale:
        raise SystemExit("seed: say --demo or --scale N")


def _cmd_search(settings: Settings, args: argparse.Namespace) -> None:
    from service.search import index

    if args.search_command == "reindex":
        count = _with_db(settings, index.reindex_all)
        print(f"search index rebuilt: {count} instruments")
    else:
        counts = _with_db(settings, index.refresh)
        print(f"search index: {counts}")


def _cmd_serve(settings: Settings, args: argparse.Namespace) -> None:
    import uvicorn

    from service.search import index

    migrate(settings.database_url or "")
    if not args.no_demo:
        from service.demo import seed

        if _with_db(settings, seed.seed_demo):
            print("demo data created")
    # Instruments from before the search index (or written by plain SQL) become searchable now.
    _with_db(settings, index.refresh)
    workers = args.workers or settings.workers
    host, port = args.host or settings.host, args.port or settings.port
    url = f"http://{host}:{port}"
    print(f"Instrument Share on {url}  (API docs: {url}/schema)", flush=True)
    if not args.no_demo:
        print(DEMO_LOGINS, flush=True)
    run_scheduler = settings.scheduler_enabled and workers == 1 and not args.no_scheduler
    if workers == 1:
        from service.app import create_app

        app = create_app(settings, run_scheduler=run_scheduler)
        uvicorn.run(
            app,
            host=host,
            port=port,
            log_config=None,
            access_log=False,
            timeout_graceful_shutdown=settings.shutdown_grace_seconds,
        )
    else:
        _share_metrics_between_workers()
        uvicorn.run(
            "service.asgi:app",
            host=host,
            port=port,
            workers=workers,
            log_config=None,
            access_log=False,
            timeout_graceful_shutdown=settings.shutdown_grace_seconds,
        )


#: prometheus_client's multiprocess switch (see `service.ops.prometheus`); not imported from
#: there, so this process loads no metrics code before its workers' environment is set.
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def _share_metrics_between_workers() -> None:
    """Workers inherit the environment: point their Prometheus values at one fresh directory
    (unless the operator chose one), removed when the service exits."""
    if os.environ.get(MULTIPROC_ENV):
        return
    shared = tempfile.mkdtemp(prefix="instrument-share-metrics-")
    os.environ[MULTIPROC_ENV] = shared
    atexit.register(shutil.rmtree, shared, ignore_errors=True)


def _cmd_worker(settings: Settings, _: argparse.Namespace) -> None:
    from service.scheduler.runner import run_worker

    asyncio.run(run_worker(settings))


def _cmd_jobs(settings: Settings, args: argparse.Namespace) -> None:
    from service.scheduler.registry import run_job_once

    report = _with_db(settings, lambda db: run_job_once(db, settings, args.name))
    print(report)
    if report.outcome != "ok":
        raise SystemExit(1)


def _cmd_metrics(settings: Settings, args: argparse.Namespace) -> None:
    from service.metrics.rollup import rebuild

    days = _with_db(settings, lambda db: rebuild(db, args.date_from, args.date_to))
    print(f"rolled up {days} instrument-days")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m service")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply the migration history")
    seed = sub.add_parser("seed", help="create demo or synthetic data")
    seed.add_argument("--demo", action="store_true")
    seed.add_argument("--scale", type=int, default=0, help="number of synthetic instruments")
    seed.add_argument("--bookings", type=int, default=0, help="synthetic bookings with --scale")
    serve = sub.add_parser("serve", help="migrate, seed the demo if empty, serve HTTP")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int)
    serve.add_argument("--no-demo", action="store_true")
    serve.add_argument("--no-scheduler", action="store_true")
    sub.add_parser("worker", help="run the scheduler as its own process")
    jobs = sub.add_parser("jobs", help="run one scheduled job now")
    jobs_sub = jobs.add_subparsers(dest="jobs_command", required=True)
    run = jobs_sub.add_parser("run")
    run.add_argument("name")
    metrics = sub.add_parser("metrics", help="statistics roll-ups")
    metrics_sub = metrics.add_subparsers(dest="metrics_command", required=True)
    rebuild = metrics_sub.add_parser(
        "rebuild", help="recompute the statistics of the local days [--from, --to)"
    )
    rebuild.add_argument("--from", dest="date_from", type=date.fromisoformat, required=True)
    rebuild.add_argument(
        "--to", dest="date_to", type=date.fromisoformat, required=True, help="exclusive"
    )
    search = sub.add_parser("search", help="the search index")
    search_sub = search.add_subparsers(dest="search_command", required=True)
    search_sub.add_parser("reindex", help="rebuild every instrument's search document")
    search_sub.add_parser(
        "refresh", help="index queued instruments, rebuild after dictionary changes"
    )
    from service.ops import admin_cli, backup

    admin_cli.add_parser(sub)
    backup.add_parsers(sub)
    return parser


def _cmd_admin(settings: Settings, args: argparse.Namespace) -> None:
    from service.ops import admin_cli

    admin_cli.run(settings, args)


def _cmd_backup(settings: Settings, args: argparse.Namespace) -> None:
    from service.ops import backup

    backup.run_cli(settings, args)


COMMANDS: dict[str, Callable[[Settings, argparse.Namespace], None]] = {
    "admin": _cmd_admin,
    "backup": _cmd_backup,
    "restore": _cmd_backup,
    "migrate": _cmd_migrate,
    "seed": _cmd_seed,
    "serve": _cmd_serve,
    "worker": _cmd_worker,
    "jobs": _cmd_jobs,
    "metrics": _cmd_metrics,
    "search": _cmd_search,
}


def main(argv: list[str] | None = None) -> None:
    """Run one command; SIGTERM (docker stop, systemd, Kubernetes) is handled like Ctrl-C.

    Python's default for SIGTERM is to die on the spot, skipping every `finally`: the embedded
    PostgreSQL would be left running. As `KeyboardInterrupt` it unwinds instead: uvicorn and
    the worker first shut down gracefully (they catch both signals themselves while running,
    then re-raise them), and the embedded server is stopped last, with further signals
    ignored so a second Ctrl-C cannot cut the cleanup short."""
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    args = _parser().parse_args(argv)
    # `.env` fills gaps in the environment (never overrides it) for this process and for the
    # processes it starts (uvicorn workers, the migration runner).
    load_dotenv(".env", override=False)
    settings = Settings.from_env()
    configure_logging(settings.log_level)
    _, embedded = ensure_database_url(settings.data_dir)
    settings = Settings.from_env()
    try:
        COMMANDS[args.command](settings, args)
    except KeyboardInterrupt:
        log.info("stopped by signal")
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, signal.SIG_IGN)
        if embedded is not None:
            embedded.stop()
            log.info("embedded PostgreSQL stopped")
