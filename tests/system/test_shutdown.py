"""Scenario: the service is stopped by a signal, as `docker stop`, systemd and Kubernetes
(SIGTERM) or a terminal (SIGINT) stop it, while requests are in flight.

`python -m service serve` (one process with the scheduler, or a supervisor with two uvicorn
workers) and `python -m service worker` run on the embedded PostgreSQL, as on a fresh machine.
The signal goes to the main process only. Afterwards: the in-flight requests were answered
(or, past the grace period, cut), the process exited 0, and nothing is left: no uvicorn
worker, no PostgreSQL server, no connection dropped without goodbye in the server's log.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil
import pytest

from tests.live_server import ROOT, free_port

pytestmark = pytest.mark.system

GRACE = 5
STARTUP_SECONDS = 120


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One embedded cluster directory for the module: created by the first scenario, reused
    (started and stopped again) by the next, as a restarted service would."""
    path = tmp_path_factory.mktemp("shutdown") / "data"
    yield path
    leftover = _postmaster(path)
    if leftover is not None and leftover.is_running():
        leftover.kill()


@dataclass
class Service:
    proc: subprocess.Popen[bytes]
    log: Path
    data_dir: Path
    url: str

    def text(self) -> str:
        return self.log.read_text(errors="replace")


def _postmaster(data_dir: Path) -> psutil.Process | None:
    pid_file = data_dir / "pg" / "postmaster.pid"
    try:
        return psutil.Process(int(pid_file.read_text().splitlines()[0]))
    except (FileNotFoundError, IndexError, ValueError, psutil.NoSuchProcess):
        return None


def _start(data_dir: Path, tmp: Path, args: list[str], **env: str) -> Service:
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environment.update(
        DATA_DIR=str(data_dir),
        ENVIRONMENT="test",
        LOG_LEVEL="INFO",
        PORT=str(port),
        PYTHONPATH=str(ROOT),
        SHUTDOWN_GRACE_SECONDS=str(GRACE),
        SCHEDULER_MAX_INTERVAL="1",
    )
    environment.update(env)
    log = tmp / "service.log"
    proc = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "service", *args],
        cwd=ROOT,
        env=environment,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )
    return Service(proc, log, data_dir, f"http://127.0.0.1:{port}")


def _wait_for(service: Service, ready: str | None) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        assert service.proc.poll() is None, f"exited early:\n{service.text()[-3000:]}"
        if ready is not None and ready in service.text():
            return
        if ready is None:
            try:
                if httpx.get(service.url + "/health/ready", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
        time.sleep(0.2)
    raise AssertionError(f"not ready within {STARTUP_SECONDS} s:\n{service.text()[-3000:]}")


def _everything(service: Service) -> list[psutil.Process]:
    """The service's process tree and the PostgreSQL server with its backends (pg_ctl
    daemonises the server, so it is not among the service's children)."""
    processes = psutil.Process(service.proc.pid).children(recursive=True)
    postmaster = _postmaster(service.data_dir)
    assert postmaster is not None, "the embedded PostgreSQL is not running"
    return [*processes, postmaster, *postmaster.children(recursive=True)]


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


async def _signal_during_logins(service: Service, sig: signal.Signals, count: int) -> tuple:
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
    service = _start(data_dir, tmp_path, args)
    await asyncio.to_thread(_wait_for, service, None)
    processes = _everything(service)
    if workers == 2:
        assert len([p for p in processes if "python" in p.name().lower()]) >= 2

    code, seconds, answers = await _signal_during_logins(service, sig, 8)

    assert answers == [401] * 8, answers
    assert code == 0, service.text()[-3000:]
    _assert_nothing_left(service, processes, offset)
    text = service.text()
    assert "embedded PostgreSQL stopped" in text
    if workers == 1:
        assert "scheduler stopped" in text  # the single process runs the scheduler
    print(f"{sig.name}, {workers} worker(s): stopped in {seconds:.1f} s")


async def test_past_the_grace_period_requests_are_cut_and_the_service_still_stops(
    data_dir: Path, tmp_path: Path
) -> None:
    offset = _pg_log_size(data_dir)
    service = _start(data_dir, tmp_path, ["serve", "--no-demo"], SHUTDOWN_GRACE_SECONDS="1")
    await asyncio.to_thread(_wait_for, service, None)
    processes = _everything(service)

    # 40 checks, two at a time, take far longer than the one-second grace.
    code, seconds, answers = await _signal_during_logins(service, signal.SIGTERM, 40)

    assert code == 0, service.text()[-3000:]
    assert seconds < 1 + 20, f"stopping took {seconds:.1f} s"
    assert set(answers) == {401, 503}, answers  # some finished; the rest: "retry shortly"
    text = service.text()
    assert "timeout graceful shutdown exceeded" in text
    assert "Traceback" not in text and "Exception in ASGI application" not in text
    _assert_nothing_left(service, processes, offset)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
async def test_the_worker_stops_its_scheduler_pool_and_database(
    data_dir: Path, tmp_path: Path, sig: signal.Signals
) -> None:
    offset = _pg_log_size(data_dir)
    service = _start(data_dir, tmp_path, ["worker"])
    await asyncio.to_thread(_wait_for, service, "scheduler started")
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
    killed = _start(data_dir, tmp_path, ["serve", "--no-demo"])
    await asyncio.to_thread(_wait_for, killed, None)
    orphan = _postmaster(data_dir)
    killed.proc.kill()
    killed.proc.wait(10)
    assert orphan is not None and orphan.is_running()  # what SIGKILL leaves behind

    offset = _pg_log_size(data_dir)
    service = _start(data_dir, tmp_path, ["serve", "--no-demo"])
    await asyncio.to_thread(_wait_for, service, None)
    assert _postmaster(data_dir) == orphan  # adopted, not started twice
    processes = _everything(service)

    code, _ = await asyncio.to_thread(_stop, service, signal.SIGTERM, GRACE + 30)

    assert code == 0, service.text()[-3000:]
    assert not orphan.is_running()
    _assert_nothing_left(service, processes, offset)
