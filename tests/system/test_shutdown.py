"""Scenario: the service is stopped by a signal, as `docker stop`, systemd and Kubernetes
(SIGTERM) or a terminal (SIGINT) stop it, while requests are in flight.

`python -m service serve` (one process with the scheduler, or a supervisor with two uvicorn
workers) and `python -m service worker` run on the embedded PostgreSQL, as on a fresh machine.
The signal goes to the main process only. Afterwards: the in-flight requests were answered
(or, past the grace period, cut), the process exited 0, and nothing is left: no uvicorn
worker, no PostgreSQL server, no connection dropped without goodbye in the server's log.
With two workers, the Prometheus figures they share are checked on the way.
"""

from __future__ import annotations

import asyncio
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.system.service_process import (
    GRACE,
    Service,
    kill_leftover_postmaster,
    postmaster,
    start_service,
    wait_for,
)

pytestmark = pytest.mark.system


@pytest.fixture(scope="module")
def data_dir() -> Iterator[Path]:
    """One embedded cluster directory for the module: created by the first scenario, reused
    (started and stopped again) by the next, as a restarted service would. Not under pytest's
    private temporary directory: the server runs as another user and must reach it."""
    root = Path(tempfile.mkdtemp(prefix="is-shutdown-"))
    try:
        yield root / "data"
    finally:
        kill_leftover_postmaster(root / "data")
        shutil.rmtree(root, ignore_errors=True)


def _everything(service: Service) -> list[psutil.Process]:
    """The service's process tree and the PostgreSQL server with its backends (pg_ctl
    daemonises the server, so it is not among the service's children)."""
    processes = psutil.Process(service.proc.pid).children(recursive=True)
    server = postmaster(service.data_dir)
    assert server is not None, "the embedded PostgreSQL is not running"
    return [*processes, server, *server.children(recursive=True)]


def _stop(service: Service, sig: signal.Signals, wait: float) -> tuple[int, float]:
    started = time.monotonic()
    service.proc.send_signal(sig)
    try:
        code = service.proc.wait(wait)
    except subprocess.TimeoutExpired:
        service.proc.kill()
        tail = service.text()[-3000:]
        raise AssertionError(f"still running {wait} s after {sig.name}:\n{tail}") from None
    return code, time.monotonic() - started


def _assert_nothing_left(service: Service, processes: list[psutil.Process], offset: int) -> None:
    # Orphans are reaped by init a moment after the service exits: give them a few seconds.
    _, alive = psutil.wait_procs(processes, timeout=5)
    alive = [p for p in alive if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert not alive, [(p.pid, p.cmdline()) for p in alive]
    assert not (service.data_dir / "pg" / "postmaster.pid").exists()
    marker = str(service.data_dir)
    strays = []
    for p in psutil.process_iter(["pid", "cmdline"]):
        if any(marker in part for part in p.info["cmdline"] or []):
            strays.append(p.info["pid"])
    assert not strays, strays
    pg_log = (service.data_dir / "pg" / "log").read_text(errors="replace")[offset:]
    assert "unexpected EOF" not in pg_log, pg_log[-2000:]


def _pg_log_size(data_dir: Path) -> int:
    log = data_dir / "pg" / "log"
    return len(log.read_text(errors="replace")) if log.exists() else 0


async def _logins(url: str, count: int) -> list[int | str]:
    """Logins of unknown accounts: each still costs an argon2id check, two at a time."""
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:

        async def one(n: int) -> int | str:
            try:
                body = {"email": f"nobody-{n}@example.org", "password": "wrong password"}
                return (await client.post("/api/v1/auth/login", json=body)).status_code
            except httpx.TransportError as exc:
                return type(exc).__name__

        return list(await asyncio.gather(*(one(n) for n in range(count))))


async def _signal_during_logins(
    service: Service, sig: signal.Signals, count: int
) -> tuple[Any, ...]:
    logins = asyncio.create_task(_logins(service.url, count))
    await asyncio.sleep(0.5)  # the requests are in: hashing, or queued for it
    stopped = asyncio.to_thread(_stop, service, sig, GRACE + 30)
    (code, seconds), answers = await asyncio.gather(stopped, logins)
    return code, seconds, answers


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
@pytest.mark.parametrize("workers", [1, 2])
async def test_serve_finishes_in_flight_requests_and_leaves_nothing(
    data_dir: Path, tmp_path: Path, sig: signal.Signals, workers: int
) -> None:
    offset = _pg_log_size(data_dir)
    args = ["serve", "--no-demo", "--workers", str(workers)]
    service = start_service(data_dir, tmp_path, args)
    await asyncio.to_thread(wait_for, service, None)
    processes = _everything(service)
    shared = await _shared_figures(service) if workers == 2 else None

    code, seconds, answers = await _signal_during_logins(service, sig, 8)

    assert answers == [401] * 8, answers
    assert code == 0, service.text()[-3000:]
    _assert_nothing_left(service, processes, offset)
    text = service.text()
    assert "embedded PostgreSQL stopped" in text
    if workers == 1:
        assert "scheduler stopped" in text  # the single process runs the scheduler
    else:
        assert shared is not None and not shared.exists()
    print(f"{sig.name}, {workers} worker(s): stopped in {seconds:.1f} s")


async def test_past_the_grace_period_requests_are_cut_and_the_service_still_stops(
    data_dir: Path, tmp_path: Path
) -> None:
    offset = _pg_log_size(data_dir)
    service = start_service(data_dir, tmp_path, ["serve", "--no-demo"], SHUTDOWN_GRACE_SECONDS="1")
    await asyncio.to_thread(wait_for, service, None)
    processes = _everything(service)

    # 40 checks, two at a time, take far longer than the one-second grace.
    code, seconds, answers = await _signal_during_logins(service, signal.SIGTERM, 40)

    assert code == 0, service.text()[-3000:]
    assert seconds < 1 + 20, f"stopping took {seconds:.1f} s"
    # Those that finished in time were answered; the rest were told to retry shortly.
    assert set(answers) <= {401, 503} and 503 in answers, answers
    text = service.text()
    assert "timeout graceful shutdown exceeded" in text
    assert "Traceback" not in text and "Exception in ASGI application" not in text
    _assert_nothing_left(service, processes, offset)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
async def test_the_worker_stops_its_scheduler_pool_and_database(
    data_dir: Path, tmp_path: Path, sig: signal.Signals
) -> None:
    offset = _pg_log_size(data_dir)
    service = start_service(data_dir, tmp_path, ["worker"])
    await asyncio.to_thread(wait_for, service, "scheduler started")
    await asyncio.sleep(1.5)  # let a few one-second ticks run
    processes = _everything(service)

    code, seconds = await asyncio.to_thread(_stop, service, sig, GRACE + 30)

    assert code == 0, service.text()[-3000:]
    text = service.text()
    assert "scheduler stopped" in text and "embedded PostgreSQL stopped" in text
    _assert_nothing_left(service, processes, offset)


async def test_after_a_killed_predecessor_a_sigterm_still_stops_the_database(
    data_dir: Path, tmp_path: Path
) -> None:
    """SIGKILL (the OOM killer) gives no chance to clean up: the embedded server outlives
    the process. The next service adopts it, and its own SIGTERM must stop it."""
    killed = start_service(data_dir, tmp_path, ["serve", "--no-demo"])
    await asyncio.to_thread(wait_for, killed, None)
    orphan = postmaster(data_dir)
    killed.proc.kill()
    killed.proc.wait(10)
    assert orphan is not None and orphan.is_running()  # what SIGKILL leaves behind

    service = start_service(data_dir, tmp_path, ["serve", "--no-demo"])
    await asyncio.to_thread(wait_for, service, None)
    offset = _pg_log_size(data_dir)  # the killed one's connections were cut: logged by now
    assert postmaster(data_dir) == orphan  # adopted, not started twice
    processes = _everything(service)

    code, _ = await asyncio.to_thread(_stop, service, signal.SIGTERM, GRACE + 30)

    assert code == 0, service.text()[-3000:]
    assert orphan in processes
    _assert_nothing_left(service, processes, offset)  # the adopted server included


def _responses(text: str, route: str) -> float:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = sample.labels
            if sample.name == "instrument_share_http_responses_total" and labels == {
                "route": route,
                "method": "GET",
                "status_class": "2xx",
            }:
                return sample.value
    return 0.0


async def _shared_figures(service: Service) -> Path:
    """With two workers, every scrape reports the requests both of them served (they keep
    their figures in one directory, which the stop must remove)."""
    workers = psutil.Process(service.proc.pid).children()
    shared = {Path(worker.environ()["PROMETHEUS_MULTIPROC_DIR"]) for worker in workers}
    assert len(shared) == 1
    (directory,) = shared

    async def fresh_get(path: str) -> httpx.Response:
        async with httpx.AsyncClient(base_url=service.url, timeout=30) as client:
            return await client.get(path)  # one connection each: any worker may take it

    answers = await asyncio.gather(*(fresh_get("/api/v1/regions") for _ in range(40)))
    assert {a.status_code for a in answers} == {200}
    counting = {f.name.rsplit("_", 1)[-1] for f in directory.glob("counter_*.db")}
    assert len(counting) == 2, f"one worker served everything: {counting}"
    scrapes = [(await fresh_get("/metrics")).text for _ in range(6)]
    assert [_responses(s, "/api/v1/regions") for s in scrapes] == [40.0] * 6
    return directory
