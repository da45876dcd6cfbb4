"""What a series request did, said plainly: how many occurrences were booked or sent for
approval, and which dates were skipped and why ("已预约 1/3：12-14、12-21 与维护冲突，已跳过").

The booking form redirects to My bookings with the outcome in the query (`series`, `skip`);
the skipped dates travel as `YYYY-MM-DD.kind` codes from a fixed set, never as free text, and
the booked occurrences are read back from the database (only the caller's own).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from service.bookings.schemas import SeriesOut
from service.common.i18n import N_

#: Why an occurrence was skipped, as the page names it.
SKIP_KINDS = {
    "booking": N_("already booked"),
    "maintenance": N_("conflict with maintenance"),
    "closed": N_("the instrument is closed"),
    "rules": N_("against the booking rules"),
}
MAX_SKIPPED = 60


@dataclass(frozen=True)
class Skipped:
    day: date
    kind: str


def skip_kind(reasons: list[dict[str, Any]]) -> str:
    """The first busy kind an occurrence ran into, or `rules` when a rule refused it."""
    for reason in reasons:
        for conflict in reason.get("conflicts", []):
            if conflict.get("kind") in SKIP_KINDS:
                return str(conflict["kind"])
    return "rules"


def encode_skipped(series: SeriesOut, zone: ZoneInfo) -> str:
    """The skipped occurrences as query text: `2026-12-14.maintenance,2026-12-21.booking`."""
    return ",".join(
        f"{s.start.astimezone(zone).date().isoformat()}.{skip_kind(s.reasons)}"
        for s in series.skipped[:MAX_SKIPPED]
    )


def decode_skipped(text: str) -> list[Skipped]:
    """The codes back; anything malformed is dropped (the query can be edited by hand)."""
    found: list[Skipped] = []
    for item in text.split(",")[:MAX_SKIPPED]:
        day, _, kind = item.partition(".")
        try:
            found.append(Skipped(date.fromisoformat(day), kind if kind in SKIP_KINDS else "rules"))
        except ValueError:
            continue
    return found


def series_summary(
    statuses: list[str], skipped: list[Skipped], t: Callable[..., str], chinese: bool
) -> str:
    """One sentence on a series: what was booked, what awaits approval, what was skipped
    ("已预约 1/3：12-14、12-21 与维护冲突，已跳过。")."""
    joiner = "、" if chinese else ", "
    pending = statuses.count("pending")
    booked = len(statuses)
    total = booked + len(skipped)
    if not skipped and pending == booked:
        head = t("%(count)s requests sent; they await the manager's approval.", count=booked)
    elif not skipped and pending == 0:
        head = t("All %(count)s occurrences are booked.", count=booked)
    elif pending == booked:
        head = t(
            "%(booked)s of %(total)s occurrences requested; they await the manager's approval.",
            booked=booked,
            total=total,
        )
    elif pending:
        head = t(
            "%(booked)s of %(total)s occurrences booked, %(pending)s of them await approval.",
            booked=booked,
            total=total,
            pending=pending,
        )
    else:
        head = t("%(booked)s of %(total)s occurrences booked.", booked=booked, total=total)
    parts = []
    for kind, reason in SKIP_KINDS.items():
        days = [s.day.strftime("%m-%d") for s in skipped if s.kind == kind]
        if days:
            parts.append(
                t("%(dates)s skipped: %(reason)s", dates=joiner.join(days), reason=t(reason))
            )
    if not chinese:
        return " ".join([head, *parts])
    # The Chinese sentences are written without their closing mark, to be joined as one.
    return head + ("：" + "；".join(parts) if parts else "") + "。"
