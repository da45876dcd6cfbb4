"""HTTP routes of surveys: open, list, close (platform admins); answer with the link (no
login); results per instrument or institution, as JSON or CSV (admins and evaluators)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter, QueryParameter

from service.accounts.principal import Principal
from service.common.openapi import problem_spec as problem
from service.common.params import PathId
from service.common.time import utcnow
from service.db import Database
from service.metrics import columns, csvout
from service.metrics.http import language
from service.settings import Settings
from service.surveys import answer, opening, results, store
from service.surveys.schemas import (
    InvitationOut,
    SurveyAnswerIn,
    SurveyIn,
    SurveyOut,
    SurveyResultsOut,
)

DB = NamedDependency[Database]
User = NamedDependency[Principal]
Conf = NamedDependency[Settings]
Token = Annotated[str, PathParameter(min_length=10, max_length=100)]
Group = Annotated[results.GroupBy, QueryParameter()]
TAGS = ["surveys"]
ADMIN = {401: problem("Not logged in"), 403: problem("Only platform admins")}
READERS = {
    401: problem("Not logged in"),
    403: problem("Only platform admins, institution admins and evaluators"),
    404: problem("No such survey"),
}
LINK = {404: problem("Unknown survey link"), 410: problem("The survey is closed")}


@post("/api/v1/surveys", operation_id="openSurvey", tags=TAGS, status_code=201,
      responses={**ADMIN, 422: problem("Bad period, or closing time not ahead")})  # fmt: skip
async def open_survey(data: JSONBody[SurveyIn], user: User, db: DB, settings: Conf) -> SurveyOut:
    """Open a survey for a period: everyone who used an instrument in it gets a mailed link
    (single use) to rate the instruments they used."""
    return await opening.open_survey(db, settings, user, data, now=utcnow())


@get("/api/v1/surveys", operation_id="listSurveys", tags=TAGS, responses=READERS)
async def list_surveys(user: User, db: DB) -> list[SurveyOut]:
    results.readable_by(user)
    return await store.list_surveys(db, utcnow())


@post("/api/v1/surveys/{survey_id:int}/close", operation_id="closeSurvey", tags=TAGS,
      status_code=200, responses={**ADMIN, 404: problem("No such survey")})  # fmt: skip
async def close_survey(survey_id: PathId, user: User, db: DB) -> SurveyOut:
    return await opening.close_survey(db, user, survey_id, utcnow())


@get("/api/v1/surveys/{survey_id:int}/results", operation_id="surveyResults", tags=TAGS,
     responses=READERS)  # fmt: skip
async def survey_results(
    *, request: Request[Any, Any, Any], survey_id: PathId, user: User, db: DB,
    group_by: Group = "instrument",
) -> SurveyResultsOut:  # fmt: skip
    """Answers per instrument or institution: count per registry level (best first), number,
    mean score. Institutions' own admins see groups under the anonymity threshold without
    figures and no comments."""
    lang = language(request, user)
    return await results.survey_results(db, user, survey_id, group_by, language=lang, now=utcnow())


@get("/api/v1/surveys/{survey_id:int}/results.csv", operation_id="surveyResultsCsv", tags=TAGS,
     responses=READERS, media_type=csvout.MEDIA_TYPE)  # fmt: skip
async def survey_results_csv(
    *, request: Request[Any, Any, Any], survey_id: PathId, user: User, db: DB,
    group_by: Group = "instrument", labels: columns.Labelled = None,
) -> Response[bytes]:  # fmt: skip
    """The same as CSV (UTF-8 with a byte-order mark), for the evaluators' files."""
    lang = labels or language(request, user)
    found = await results.survey_results(db, user, survey_id, group_by, language=lang, now=utcnow())
    name = f"survey-{survey_id}-{group_by}.csv"
    return Response(
        results.results_csv(found, labels),
        media_type=csvout.MEDIA_TYPE,
        headers=csvout.disposition(name),
    )


@get("/api/v1/surveys/answer/{token:str}", operation_id="surveyInvitation", tags=TAGS,
     responses=LINK, security=[])  # fmt: skip
async def survey_invitation(token: Token, db: DB) -> InvitationOut:
    """What the link's holder is asked about: the survey and the instruments they used."""
    return await answer.invitation(db, token, utcnow())


@post("/api/v1/surveys/answer/{token:str}", operation_id="answerSurvey", tags=TAGS,
      status_code=204, security=[],
      responses={**LINK, 409: problem("The link was used already"),
                 422: problem("An instrument not used, twice, or a rating not on the scale")})  # fmt: skip
async def answer_survey(token: Token, data: JSONBody[SurveyAnswerIn], db: DB) -> None:
    """Answer once: a rating (1..5 or the registry's word) and an optional comment per
    instrument used. Anonymous: the answers keep neither who nor when."""
    await answer.submit(db, token, data, utcnow())


ROUTES: list[Any] = [
    open_survey,
    list_surveys,
    close_survey,
    survey_results,
    survey_results_csv,
    survey_invitation,
    answer_survey,
]
