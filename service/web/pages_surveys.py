"""Surveys on the web: the answer page behind a mailed single-use link (no login), and the
platform admins' page to open and close surveys and read their results. Both call the use
cases of `service.surveys`, as the API does."""

from __future__ import annotations

from datetime import datetime, time
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import msgspec
from litestar import Request, Response, get, post
from litestar.params import PathParameter

from service.common.params import PathId, QueryId
from service.common.time import instant_dec_hook, local_to_utc, utcnow
from service.errors import Conflict, Unprocessable
from service.metrics.definitions import definitions, last_complete_year
from service.surveys import answer, opening, results
from service.surveys.lookups import list_surveys
from service.surveys.schemas import AnswerItemIn, SurveyAnswerIn, SurveyIn
from service.web import labels
from service.web.pages_calendar import problem_of
from service.web.view import DB, SettingsDep, ViewDep

Token = Annotated[str, PathParameter(min_length=10, max_length=100)]


async def _answer_page(
    view: ViewDep, db: DB, token: str, status: int = 200, **extra: Any
) -> Response[Any]:
    invitation = await answer.invitation(db, token, utcnow())
    values: dict[str, Any] = {"problem": None, "done": False, "chosen": {}}
    return view.render(
        "survey.html", status=status, invitation=invitation, token=token, scale=labels.RATINGS,
        **{**values, **extra},
    )  # fmt: skip


@get("/surveys/{token:str}", name="page-survey")
async def survey_page(view: ViewDep, db: DB, token: Token) -> Response[Any]:
    return await _answer_page(view, db, token)


async def _answers(request: Request[Any, Any, Any]) -> tuple[list[AnswerItemIn], dict[str, str]]:
    """`rating_<instrument>` (1..5) and `comment_<instrument>` of the form; unrated ones are
    left out."""
    form = await request.form()
    chosen = {k: v for k, v in form.items() if isinstance(v, str)}
    items = []
    for key, value in chosen.items():
        name, _, instrument = key.partition("_")
        if name == "rating" and instrument.isdigit() and value in {"1", "2", "3", "4", "5"}:
            comment = chosen.get(f"comment_{instrument}", "")[:1000]
            items.append(AnswerItemIn(int(instrument), int(value), comment))
    return items, chosen


@post("/surveys/{token:str}", name="page-survey-post", status_code=200)
async def survey_submit(
    request: Request[Any, Any, Any], view: ViewDep, db: DB, token: Token
) -> Response[Any]:
    items, chosen = await _answers(request)
    if not items:
        problem = {"status": 422, "title": "Unprocessable request",
                   "detail": view.t("Rate at least one instrument.")}  # fmt: skip
        return await _answer_page(view, db, token, 422, problem=problem, chosen=chosen)
    try:
        await answer.submit(db, token, SurveyAnswerIn(items), utcnow())
    except (Conflict, Unprocessable, answer.Gone) as exc:
        problem = {"status": exc.status, "title": exc.title, "detail": exc.detail}
        return await _answer_page(view, db, token, exc.status, problem=problem, chosen=chosen)
    return await _answer_page(view, db, token, done=True)


class OpenSurveyForm(msgspec.Struct):
    date_from: Annotated[str, msgspec.Meta(max_length=10)] = ""
    date_to: Annotated[str, msgspec.Meta(max_length=10)] = ""
    closes_on: Annotated[str, msgspec.Meta(max_length=10)] = ""
    title_zh: Annotated[str, msgspec.Meta(max_length=200)] = ""
    title_en: Annotated[str, msgspec.Meta(max_length=200)] = ""
    csrf_token: Annotated[str, msgspec.Meta(max_length=200)] = ""


async def _admin_page(
    view: ViewDep, db: DB, settings: SettingsDep, survey_id: int | None, *, status: int = 200,
    **extra: Any,
) -> Response[Any]:  # fmt: skip
    user = view.require_user()
    view.require(user.is_platform_admin)
    now = utcnow()
    surveys = await list_surveys(db, now)
    shown = survey_id or (surveys[0].id if surveys else None)
    found = None
    if shown is not None:
        found = await results.survey_results(
            db, user, shown, "instrument", language=view.language, now=now
        )
    year = last_complete_year(definitions(settings).today(now))
    values: dict[str, Any] = {
        "problem": None,
        "form": OpenSurveyForm(year[0].isoformat(), year[1].isoformat()),
    }
    return view.render(
        "admin_surveys.html", status=status, surveys=surveys, results=found, section="surveys",
        levels=labels.RATINGS, **{**values, **extra},
    )  # fmt: skip


@get("/admin/surveys", name="page-admin-surveys")
async def surveys_page(
    view: ViewDep, db: DB, settings: SettingsDep,
    survey: QueryId = None,
) -> Response[Any]:  # fmt: skip
    return await _admin_page(view, db, settings, survey)


def _survey_in(form: OpenSurveyForm, zone: str) -> SurveyIn:
    """The closing day's end (23:59 in the report zone) closes the survey."""
    closes = local_to_utc(
        datetime.fromisoformat(form.closes_on).date(), time(23, 59), ZoneInfo(zone)
    )
    titles = {
        k: v for k, v in (("title_zh", form.title_zh), ("title_en", form.title_en)) if v.strip()
    }
    return msgspec.convert(
        {"from": form.date_from, "to": form.date_to, "closes_at": closes.isoformat(), **titles},
        SurveyIn, strict=False, dec_hook=instant_dec_hook,
    )  # fmt: skip


@post("/admin/surveys", name="page-admin-surveys-post", status_code=303)
async def surveys_submit(
    request: Request[Any, Any, Any], view: ViewDep, db: DB, settings: SettingsDep
) -> Response[Any]:
    form = msgspec.convert(dict((await request.form()).items()), OpenSurveyForm, strict=False)
    try:
        data = _survey_in(form, settings.report_timezone)
    except (ValueError, msgspec.ValidationError):
        problem = {"status": 422, "title": "Unprocessable request",
                   "detail": view.t("Give the period and the closing day as dates.")}  # fmt: skip
        return await _admin_page(view, db, settings, None, status=422, problem=problem, form=form)
    try:
        survey = await opening.open_survey(db, settings, view.actor(), data, now=utcnow())
    except (Unprocessable, Conflict) as exc:
        return await _admin_page(
            view, db, settings, None, status=exc.status, problem=problem_of(exc, view), form=form
        )
    return view.redirect(f"/admin/surveys?survey={survey.id}", ok="survey-opened")


@post("/admin/surveys/{survey_id:int}/close", name="page-admin-survey-close", status_code=303)
async def survey_close(view: ViewDep, db: DB, survey_id: PathId) -> Response[Any]:
    await opening.close_survey(db, view.actor(), survey_id, utcnow())
    return view.redirect(f"/admin/surveys?survey={survey_id}", ok="survey-closed")


ROUTES = [survey_page, survey_submit, surveys_page, surveys_submit, survey_close]
