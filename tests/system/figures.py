"""Figures each scenario measured, printed in one block at the end of the run."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

FIGURES: list[str] = []


def record(scenario: str, text: str) -> None:
    FIGURES.append(f"{scenario}: {text}")


@contextmanager
def timed(scenario: str) -> Iterator[None]:
    started = time.monotonic()
    try:
        yield
    finally:
        record(scenario, f"{time.monotonic() - started:.1f} s")
