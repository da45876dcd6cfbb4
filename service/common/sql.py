"""SQL fragments that several packages put into their own queries, written here once so that
a change to how a row finds its institution's region and time zone is made in one place."""

from __future__ import annotations

from typing import Any


def zone_join(row: str, institution: str, region: str = "r") -> str:
    """`JOIN institution … JOIN region …`: the institution (aliased `institution`) and region
    (aliased `region`, whose `timezone` is the IANA zone) of the row aliased `row`, which may be
    anything with an `institution_id`: an instrument, a user, a policy."""
    return (
        f"JOIN institution {institution} ON {institution}.id = {row}.institution_id "
        f"JOIN region {region} ON {region}.code = {institution}.region_code"
    )


class Params:
    """Collects the arguments of a query built from optional parts and hands out their `$n`
    placeholders, so a condition and its value are added in one step and never drift apart."""

    def __init__(self) -> None:
        self.args: list[Any] = []

    def add(self, value: Any) -> str:
        self.args.append(value)
        return f"${len(self.args)}"
