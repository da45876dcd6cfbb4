"""Bodies that cannot be decoded at all: JSON nested beyond the decoder's limit and invalid
UTF-8. Each is a 400 problem, on open and authenticated endpoints alike, and the log holds no
error and no traceback (a hostile client must not be able to fill it with stack traces)."""

from __future__ import annotations

import logging

import httpx
import pytest

from service.db import Database
from tests.factories import make_institution, make_user
from tests.web_support import csrf_from

DEPTH = 100_000
BODIES = {
    "nested arrays": b"[" * DEPTH + b"]" * DEPTH,
    "nested objects": b'{"a":' * DEPTH + b"1" + b"}" * DEPTH,
    "invalid UTF-8 in a string": b'{"email": "\xff\xfe@example.org", "password": "x"}',
    "a lone continuation byte": b'{"purpose": "\x80"}',
}
ENDPOINTS = [
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/auth/register"),
    ("POST", "/api/v1/bookings"),
    ("PATCH", "/api/v1/me"),
    ("POST", "/api/v1/instruments"),
]


@pytest.fixture
def quiet_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    return caplog


def assert_quiet(caplog: pytest.LogCaptureFixture) -> None:
    loud = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert not loud, [(r.name, r.getMessage()) for r in loud]


@pytest.mark.parametrize("kind", sorted(BODIES))
@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
async def test_undecodable_json_is_a_400_problem_without_a_traceback(
    client: httpx.AsyncClient,
    db: Database,
    quiet_log: pytest.LogCaptureFixture,
    method: str,
    path: str,
    kind: str,
) -> None:
    user = await make_user(db, await make_institution(db))
    response = await client.request(
        method,
        path,
        content=BODIES[kind],
        headers={**user.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["type"].endswith("/malformed-body"), problem
    assert problem["status"] == 400
    assert_quiet(quiet_log)


@pytest.mark.parametrize("page", ["/login", "/register"])
async def test_a_multipart_form_with_invalid_utf8_is_a_400_page(
    app: object, quiet_log: pytest.LogCaptureFixture, page: str
) -> None:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as browser:
        token = csrf_from((await browser.get(page)).text)
        body = (
            b'--b\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
            + token.encode()
            + b'\r\n--b\r\nContent-Disposition: form-data; name="email"\r\n\r\n\xff\xfe\r\n--b--\r\n'
        )
        response = await browser.post(
            page,
            content=body,
            headers={"Content-Type": "multipart/form-data; boundary=b"},
        )
    assert response.status_code == 400, response.text[:300]
    assert response.headers["content-type"].startswith("text/html")
    assert_quiet(quiet_log)
