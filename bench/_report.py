"""The one line format `bench/__main__.py` collects into the summary table."""

from __future__ import annotations


def result(name: str, value: float, unit: str, goal: str = "") -> None:
    print(f"RESULT\t{name}\t{value:.2f}\t{unit}\t{goal}", flush=True)
