"""Survey results: answers aggregated per instrument or institution over what the caller may
read (platform admins: all; evaluators and institution admins: their institutions). The
institution's own admins see groups with few answers without figures and never the comments,
so they cannot tell who answered what."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from service.accounts.principal import Principal
from service.common.i18n import pick
from service.db import Database
from service.errors import Forbidden
from service.metrics import columns, csvout
from service.metrics.ratings import LABELS
from service.surveys import rules, sql, store
from service.surveys.schemas import SurveyResultRowOut, SurveyResultsOut

GroupBy = Literal["instrument", "institution"]
_KEYS = {"instrument": "a.instrument_id", "institution": "a.institution_id"}


def readable_by(user: Principal) -> list[int] | None:
    """The institutions whose answers the caller reads (None: all); 403 for the others."""
    if user.is_platform_admin:
        return None
    if not (user.admin_of or user.evaluates):
        raise Forbidden(
            "Survey results are for platform admins, institution admins and evaluators."
        )
    return sorted(user.admin_of | user.evaluates)


def _row(r: Any, label: str, user: Principal) -> SurveyResultRowOut:
    full = rules.shown_to(
        r["institution_id"], platform=user.is_platform_admin, evaluates=user.evaluates
    )
    hidden = not full and r["answers"] < rules.MIN_ANSWERS_SHOWN
    return SurveyResultRowOut(
        key=str(r["key"]),
        label=label,
        institution_id=r["institution_id"],
        answers=int(r["answers"]),
        average=None if hidden else round(r["average"], 2),
        levels=[0] * 5 if hidden else [int(n) for n in r["levels"]],
        suppressed=hidden,
        comments=list(r["comments"]) if full else [],
    )


async def survey_results(
    db: Database, user: Principal, survey_id: int, group_by: GroupBy, *, language: str,
    now: datetime,
) -> SurveyResultsOut:  # fmt: skip
    readable = readable_by(user)
    survey = await store.get_survey(db, survey_id, now)
    rows = await db.fetch(sql.RESULTS.format(key=_KEYS[group_by]), survey_id, readable)
    names = await db.fetch(sql.LABELS[group_by], [int(r["key"]) for r in rows])
    label = {n["key"]: pick(language, n["name_zh"], n["name_en"]) for n in names}
    out = [_row(r, label.get(str(r["key"]), str(r["key"])), user) for r in rows]
    return SurveyResultsOut(survey=survey, group_by=group_by, rows=out)


HEADER = [
    "key",
    "label",
    "institution_id",
    "answers",
    "average",
    *LABELS.values(),
    "suppressed",
    "comments",
]


def results_csv(results: SurveyResultsOut, labels: str | None = None) -> bytes:
    """One line per group: the count of each registry word (非常满意 … 极差) in its own column;
    with `labels` (a language), the other column names in that language, for people."""
    rows: Sequence[Sequence[Any]] = [
        [
            r.key,
            r.label,
            r.institution_id,
            r.answers,
            r.average,
            *r.levels,
            r.suppressed,
            " | ".join(r.comments),
        ]
        for r in results.rows
    ]
    header = [columns.title(h, labels) for h in HEADER] if labels else HEADER
    return "".join(csvout.lines(header, rows)).encode("utf-8")
