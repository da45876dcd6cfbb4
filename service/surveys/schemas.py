"""Shapes of the survey API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

import msgspec

from service.common.time import AwareDatetime
from service.metrics.schemas import RatingLabel

Title = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class SurveyIn(msgspec.Struct, forbid_unknown_fields=True):
    """Open a survey about the use of instruments in `[from, to)` (local dates); answers are
    taken until `closes_at`."""

    date_from: date = msgspec.field(name="from")
    date_to: date = msgspec.field(name="to")
    closes_at: AwareDatetime
    title_zh: Title = "大型科研仪器共享服务满意度调查"
    title_en: Title = "Satisfaction survey on shared research instruments"


class SurveyOut(msgspec.Struct):
    id: int
    title_zh: str
    title_en: str
    date_from: date = msgspec.field(name="from")
    date_to: date = msgspec.field(name="to")
    opened_at: datetime
    closes_at: datetime
    closed_at: datetime | None
    open: bool
    invited: int
    answered: int


class InvitedInstrumentOut(msgspec.Struct):
    id: int
    name_zh: str
    name_en: str


class InvitationOut(msgspec.Struct):
    """What the holder of a survey link sees: the survey and the instruments they used."""

    survey_id: int
    title_zh: str
    title_en: str
    date_from: date = msgspec.field(name="from")
    date_to: date = msgspec.field(name="to")
    closes_at: datetime
    instruments: list[InvitedInstrumentOut] = []
    answered: bool = False


class AnswerItemIn(msgspec.Struct, forbid_unknown_fields=True):
    """`rating`: 1 (极差) … 5 (非常满意) or the registry's word itself."""

    instrument_id: Annotated[int, msgspec.Meta(ge=1, le=2**62)]
    rating: Annotated[int, msgspec.Meta(ge=1, le=5)] | RatingLabel
    comment: Annotated[str, msgspec.Meta(max_length=1000)] = ""


class SurveyAnswerIn(msgspec.Struct, forbid_unknown_fields=True):
    answers: Annotated[list[AnswerItemIn], msgspec.Meta(min_length=1, max_length=200)]


class SurveyResultRowOut(msgspec.Struct):
    """Answers of one instrument or institution: the count per registry level (`levels`, best
    first: 非常满意, 基本满意, 一般, 不满意, 极差), the number and the mean score (5 best).
    `suppressed`: fewer answers than the anonymity threshold, shown to the institution's own
    admins without figures."""

    key: str
    label: str
    institution_id: int
    answers: int
    average: float | None
    levels: list[int]
    suppressed: bool = False
    comments: list[str] = []


class SurveyResultsOut(msgspec.Struct):
    survey: SurveyOut
    group_by: Literal["instrument", "institution"]
    rows: list[SurveyResultRowOut]
