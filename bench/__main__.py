"""`make bench`: run every `bench/*.py` and print one table of the figures they report.

Each benchmark prints its own details and, for the summary, lines of the form
`RESULT<TAB>name<TAB>value<TAB>unit<TAB>goal`. A benchmark that fails or runs over its time
budget is reported as such and the others still run.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BUDGET_SECONDS = int(os.environ.get("BENCH_BUDGET_SECONDS", "240"))


def machine() -> str:
    cpus = os.cpu_count() or 0
    try:
        meminfo = Path("/proc/meminfo").read_text().splitlines()
        mem_kb = int(next(line for line in meminfo if line.startswith("MemTotal")).split()[1])
        mem = f"{mem_kb / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration, ValueError):
        mem = "?"
    return f"{platform.machine()}, {cpus} cores, {mem}, Python {platform.python_version()}"


def run_one(script: Path) -> tuple[list[list[str]], str]:
    started = time.perf_counter()
    try:
        proc = subprocess.run(  # noqa: S603
            [sys.executable, str(script)],
            capture_output=True,
            text=True,
            timeout=BUDGET_SECONDS,
            cwd=HERE.parent,
            env=dict(os.environ, PYTHONPATH=str(HERE.parent)),
            check=False,
        )
    except subprocess.TimeoutExpired:
        return [], f"timed out after {BUDGET_SECONDS} s"
    elapsed = time.perf_counter() - started
    print(f"\n== {script.name} ({elapsed:.1f} s) ==")
    print(proc.stdout.rstrip())
    if proc.returncode != 0:
        print(proc.stderr[-3000:])
        return [], f"failed (exit {proc.returncode})"
    rows = [
        line.split("\t")[1:] for line in proc.stdout.splitlines() if line.startswith("RESULT\t")
    ]
    return rows, "ok"


def main() -> None:
    """Without `DATABASE_URL` the benchmarks share one embedded PostgreSQL started here."""
    embedded = None
    if not os.environ.get("DATABASE_URL"):
        from service.embedded_db import ensure_database_url

        _, embedded = ensure_database_url(HERE.parent / ".data" / "bench")
    try:
        _run_all()
    finally:
        if embedded is not None:
            embedded.stop()


def _run_all() -> None:
    only = set(sys.argv[1:])
    scripts = sorted(p for p in HERE.glob("*.py") if not p.name.startswith("_"))
    summary: list[tuple[str, list[str]]] = []
    for script in scripts:
        if only and script.stem not in only:
            continue
        rows, status = run_one(script)
        if status != "ok":
            summary.append((script.stem, ["(all)", status, "", ""]))
        summary.extend((script.stem, row) for row in rows)
    print(f"\n== summary — {machine()} ==")
    print(f"| {'bench':<14} | {'figure':<46} | {'value':>12} | {'unit':<8} | goal")
    print(f"|{'-' * 16}|{'-' * 48}|{'-' * 14}|{'-' * 10}|------")
    for bench, row in summary:
        name, value, unit, goal = (row + ["", "", "", ""])[:4]
        print(f"| {bench:<14} | {name:<46} | {value:>12} | {unit:<8} | {goal}")


if __name__ == "__main__":
    main()
