"""Satisfaction surveys end to end: opening one mails a single-use link (through the outbox, to
a real SMTP server) to everyone who used an instrument in the period; the answers are anonymous,
aggregated per instrument and institution, and exportable for the evaluator."""

from __future__ import annotations

import asyncio
import csv
import io
import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from service.accounts.secrets import digest
from service.common.time import utcnow
from service.db import Database
from service.notifications.delivery import deliver_outbox
from service.settings import Settings
from tests.factories import make_institution, make_instrument, make_user
from tests.metrics_support import add_session
from tests.scheduler_support import (
    SmtpServer,
    mail_settings,  # noqa: F401 - fixture
    outbox_message_id,
    smtp,  # noqa: F401 - fixture
    text_of,
)
from tests.web_support import signed_in

SH = ZoneInfo("Asia/Shanghai")
LINK = re.compile(r"http://testserver/surveys/(sv_[A-Za-z0-9_-]+)")


def at(month: int, day: int, hour: int) -> datetime:
    return datetime(2018, month, day, hour, tzinfo=SH)


async def _open(client: httpx.AsyncClient, admin: object, **body: object) -> httpx.Response:
    closes = (utcnow() + timedelta(days=14)).isoformat()
    payload = {"from": "2018-04-01", "to": "2018-05-01", "closes_at": closes, **body}
    return await client.post("/api/v1/surveys", json=payload, headers=admin.headers)  # type: ignore[attr-defined]


async def test_a_survey_from_invitation_to_results(
    client: httpx.AsyncClient,
    db: Database,
    mail_settings: Settings,  # noqa: F811
    smtp: SmtpServer,  # noqa: F811
) -> None:
    owner = await make_institution(db)
    guest = await make_institution(db, region="222400")
    agency = await make_institution(db, kind="other")
    nmr, ms = await make_instrument(db, owner), await make_instrument(db, owner)
    users = [
        await make_user(db, guest, language="en"),
        *[await make_user(db, guest) for _ in range(3)],
    ]
    absent = await make_user(db, guest)  # used nothing in April
    for n, user in enumerate(users):
        await add_session(db, nmr, guest, at(4, 2 + n, 9), at(4, 2 + n, 11), user_id=user.id)
    await add_session(db, ms, guest, at(4, 10, 9), at(4, 10, 10), user_id=users[0].id)
    await add_session(db, ms, owner, at(4, 11, 9), at(4, 11, 10))  # the owners' own use
    await add_session(db, ms, guest, at(5, 3, 9), at(5, 3, 10), user_id=absent.id)  # May
    platform = await make_user(db, agency, platform_admin=True)
    admin = await make_user(db, owner, admin_of=[owner])
    evaluator = await make_user(db, agency, evaluates=[owner])

    assert (await _open(client, admin)).status_code == 403
    opened = await _open(client, platform)
    assert opened.status_code == 201, opened.text
    survey = opened.json()
    assert (survey["invited"], survey["answered"], survey["open"]) == (4, 0, True)

    await deliver_outbox(db, mail_settings, utcnow())
    rows = await db.fetch(
        "SELECT id, user_id FROM notification_outbox WHERE kind = 'survey_invitation' AND payload->>'survey_id' = $1",
        str(survey["id"]),
    )
    assert sorted(r["user_id"] for r in rows) == sorted(u.id for u in users)
    tokens = {}
    for row in rows:
        message = smtp.sink.by_id(outbox_message_id(row["id"]))
        text = text_of(message)
        tokens[row["user_id"]] = LINK.search(text).group(1)  # type: ignore[union-attr]
        if row["user_id"] == users[0].id:
            assert str(message["Subject"]).startswith("Satisfaction survey")
            assert "2018-04-01 – 2018-04-30" in text
    # only the hash of a token is kept
    stored = await db.fetchval(
        "SELECT token_hash FROM survey_invitation WHERE user_id = $1 AND survey_id = $2",
        users[0].id,
        survey["id"],
    )
    assert stored == digest(tokens[users[0].id])
    assert tokens[users[0].id].encode() not in stored

    first = tokens[users[0].id]
    shown = (await client.get(f"/api/v1/surveys/answer/{first}")).json()
    assert [i["id"] for i in shown["instruments"]] == sorted([nmr, ms]) and not shown["answered"]
    body = {"answers": [{"instrument_id": nmr, "rating": "基本满意", "comment": "fast and careful"},
                        {"instrument_id": ms, "rating": 5}]}  # fmt: skip
    assert (await client.post(f"/api/v1/surveys/answer/{first}", json=body)).status_code == 204
    again = await client.post(f"/api/v1/surveys/answer/{first}", json=body)
    assert again.status_code == 409
    for n, user in enumerate(users[1:]):
        one = {"answers": [{"instrument_id": nmr, "rating": 3 + n % 2}]}
        assert (
            await client.post(f"/api/v1/surveys/answer/{tokens[user.id]}", json=one)
        ).status_code == 204
    # anonymous: the answers carry neither who nor which invitation
    columns = {r["column_name"] for r in await db.fetch(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'survey_answer'")}  # fmt: skip
    assert columns == {"id", "survey_id", "instrument_id", "institution_id", "rating", "comment"}

    url = f"/api/v1/surveys/{survey['id']}/results"
    full = (await client.get(url, headers=evaluator.headers)).json()
    by = {r["key"]: r for r in full["rows"]}
    assert by[str(nmr)]["answers"] == 4 and by[str(nmr)]["levels"] == [0, 2, 2, 0, 0]
    assert by[str(nmr)]["average"] == 3.5 and by[str(nmr)]["comments"] == ["fast and careful"]
    # the institution's own admins: few answers are not shown, and never the comments
    own = {r["key"]: r for r in (await client.get(url, headers=admin.headers)).json()["rows"]}
    assert own[str(nmr)]["comments"] == [] and own[str(nmr)]["average"] == 3.5
    assert (
        own[str(ms)]["suppressed"]
        and own[str(ms)]["levels"] == [0] * 5
        and own[str(ms)]["average"] is None
    )
    per_institution = (
        await client.get(url, params={"group_by": "institution"}, headers=evaluator.headers)
    ).json()
    assert [(r["key"], r["answers"]) for r in per_institution["rows"]] == [(str(owner), 5)]
    outsider = await make_user(db, guest, admin_of=[guest])
    assert (await client.get(url, headers=outsider.headers)).json()["rows"] == []
    researcher = await make_user(db, guest)
    assert (await client.get(url, headers=researcher.headers)).status_code == 403
    exported = await client.get(f"{url}.csv", headers=evaluator.headers)
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert table[0][5:10] == ["非常满意", "基本满意", "一般", "不满意", "极差"]
    assert table[0][:5] == ["key", "label", "institution_id", "answers", "average"]
    # the file for people (the pages' links): its header row in the reader's language
    people = await client.get(f"{url}.csv", params={"labels": "zh-CN"}, headers=evaluator.headers)
    header = next(csv.reader(io.StringIO(people.content.decode("utf-8-sig"))))
    assert header[:5] == ["代码", "名称", "单位编号", "回答数", "平均分"]
    assert header[5:10] == table[0][5:10] and len(header) == len(table[0])
    # closed: the link no longer takes answers
    closed = await client.post(f"/api/v1/surveys/{survey['id']}/close", headers=platform.headers)
    assert closed.json()["open"] is False
    late = await client.post(f"/api/v1/surveys/answer/{tokens[users[1].id]}", json=body)
    assert late.status_code in (409, 410)


async def test_bad_answers_are_refused_and_a_link_works_once_under_a_race(
    client: httpx.AsyncClient, db: Database
) -> None:
    owner = await make_institution(db)
    inst, other = await make_instrument(db, owner), await make_instrument(db, owner)
    user = await make_user(db, owner)
    platform = await make_user(db, owner, platform_admin=True)
    await add_session(db, inst, owner, at(6, 5, 9), at(6, 5, 10), user_id=user.id)
    opened = await _open(client, platform, **{"from": "2018-06-01", "to": "2018-07-01"})
    survey_id = opened.json()["id"]
    payload = await db.fetchval(
        "SELECT payload FROM notification_outbox WHERE kind = 'survey_invitation' AND user_id = $1",
        user.id,
    )
    token = LINK.search(payload["link"]).group(1)  # type: ignore[union-attr]
    url = f"/api/v1/surveys/answer/{token}"
    bad: dict[str, Any]
    for bad in ({"answers": []}, {"answers": [{"instrument_id": other, "rating": 4}]},
                {"answers": [{"instrument_id": inst, "rating": 6}]},
                {"answers": [{"instrument_id": inst, "rating": "满意度"}]},
                {"answers": [{"instrument_id": inst, "rating": 4}, {"instrument_id": inst, "rating": 2}]}):  # fmt: skip
        assert (await client.post(url, json=bad)).status_code == 422, bad
    assert (await client.get("/api/v1/surveys/answer/sv_unknown-token-000")).status_code == 404
    good = {"answers": [{"instrument_id": inst, "rating": 5}]}
    results = await asyncio.gather(*(client.post(url, json=good) for _ in range(8)))
    assert sorted(r.status_code for r in results) == [204] + [409] * 7
    assert (
        await db.fetchval("SELECT count(*) FROM survey_answer WHERE survey_id = $1", survey_id) == 1
    )
    for bad in ({"from": "2018-07-01", "to": "2018-06-01"},
                {"closes_at": (utcnow() - timedelta(hours=1)).isoformat()},
                {"closes_at": "2030-01-01T00:00:00"}):  # fmt: skip
        assert (await _open(client, platform, **bad)).status_code == 422, bad


async def test_the_answer_page_and_the_admin_page(
    app: Any,
    client: httpx.AsyncClient,
    db: Database,
) -> None:
    owner = await make_institution(db)
    inst = await make_instrument(db, owner, name_zh="调查用核磁共振谱仪")
    user = await make_user(db, owner)
    platform = await make_user(db, owner, platform_admin=True)
    await add_session(db, inst, owner, at(8, 5, 9), at(8, 5, 10), user_id=user.id)
    async with signed_in(app, platform.email) as (c, token):
        page = await c.get("/admin/surveys")
        assert page.status_code == 200 and 'id="open-survey"' in page.text
        form = {"csrf_token": token, "date_from": "2018-08-01", "date_to": "2018-09-01",
                "closes_on": (utcnow() + timedelta(days=10)).date().isoformat()}  # fmt: skip
        opened = await c.post("/admin/surveys", data=form)
        assert opened.status_code == 303, opened.text
        bad = await c.post("/admin/surveys", data={**form, "closes_on": "soon"})
        assert bad.status_code == 422
    payload = await db.fetchval(
        "SELECT payload FROM notification_outbox WHERE kind = 'survey_invitation' AND user_id = $1",
        user.id,
    )
    link = LINK.search(payload["link"]).group(1)  # type: ignore[union-attr]
    page = await client.get(f"/surveys/{link}")
    assert page.status_code == 200 and "调查用核磁共振谱仪" in page.text and "基本满意" in page.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    empty = await client.post(f"/surveys/{link}", data={"csrf_token": csrf})
    assert empty.status_code == 422
    sent = await client.post(
        f"/surveys/{link}",
        data={"csrf_token": csrf, f"rating_{inst}": "4", f"comment_{inst}": "好"},
    )
    assert sent.status_code == 200 and 'id="survey-thanks"' in sent.text
    assert 'id="survey-used"' in (await client.get(f"/surveys/{link}")).text
    assert await db.fetchval("SELECT rating FROM survey_answer WHERE instrument_id = $1", inst) == 4
    assert (await client.get("/surveys/sv_not-a-real-token")).status_code == 404
