"""The served OpenAPI schema is one a generator can use, and the response check that every API
test runs through (`tests/openapi_contract.py`) really refuses what the schema does not say."""

from __future__ import annotations

import json
from collections import Counter

import httpx
import pytest

from tests.openapi_contract import Contract, ContractViolation, install

CSV_EXPORTS = [
    ("/api/v1/metrics/sharing.csv", "get"),
    ("/api/v1/metrics/flows.csv", "get"),
    ("/api/v1/metrics/service-records", "get"),
]


async def test_component_schemas_have_unique_titles(client: httpx.AsyncClient) -> None:
    """Generators name classes by title: two schemas with one title lose one of them."""
    schemas = (await client.get("/schema/openapi.json")).json()["components"]["schemas"]
    titles = Counter(schema.get("title", key) for key, schema in schemas.items())
    assert not {title: n for title, n in titles.items() if n > 1}


@pytest.mark.parametrize(("path", "method"), CSV_EXPORTS)
async def test_csv_exports_are_documented_as_text_csv(
    client: httpx.AsyncClient, path: str, method: str
) -> None:
    document = (await client.get("/schema/openapi.json")).json()
    content = document["paths"][path][method]["responses"]["200"]["content"]
    assert content["text/csv"]["schema"]["type"] == "string"


async def test_service_records_document_both_json_and_csv(client: httpx.AsyncClient) -> None:
    document = (await client.get("/schema/openapi.json")).json()
    content = document["paths"]["/api/v1/metrics/service-records"]["get"]["responses"]["200"]
    assert content["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ServiceRecordsOut"
    }


async def test_no_content_answers_document_no_body(client: httpx.AsyncClient) -> None:
    document = (await client.get("/schema/openapi.json")).json()
    no_content = [
        (path, method, operation["responses"]["204"])
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if "204" in operation["responses"]
    ]
    assert no_content
    assert [(p, m) for p, m, answer in no_content if answer.get("content")] == []


def _problem(status: int) -> bytes:
    return json.dumps({"type": "x", "title": "t", "status": status, "detail": "d"}).encode()


async def test_the_contract_passes_conforming_answers(contract: Contract) -> None:
    assert contract.check("GET", "/health/live", 200, "application/json", b'{"status":"ok"}') == []
    assert (
        contract.check("GET", "/api/v1/nope", 404, "application/problem+json", _problem(404)) == []
    )
    assert contract.check("GET", "/instruments", 200, "text/html", b"<html>") == []  # a page


@pytest.mark.parametrize(
    ("method", "path", "status", "content_type", "body", "complaint"),
    [
        ("GET", "/health/live", 418, "application/json", b"{}", "status not documented"),
        ("GET", "/health/live", 200, "text/plain", b"ok", "content type 'text/plain'"),
        ("GET", "/api/v1/regions", 200, "application/json", b'{"a": 1}', "body at /"),
        ("GET", "/api/v1/regions", 200, "application/json", b"[{}]", "body at /0"),
        ("GET", "/api/v1/regions", 200, "application/json", b"[", "not JSON"),
        ("GET", "/api/v1/not-there", 200, "application/json", b"{}", "no documented path"),
        ("PUT", "/health/live", 200, "application/json", b"{}", "method not documented"),
        ("GET", "/api/v1/metrics/sharing.csv", 200, "application/json", b"[]", "not documented"),
        ("DELETE", "/api/v1/feeds/1", 204, "application/json", b"null", "none documented"),
    ],
)
async def test_the_contract_refuses_what_the_schema_does_not_describe(
    contract: Contract,
    method: str,
    path: str,
    status: int,
    content_type: str,
    body: bytes,
    complaint: str,
) -> None:
    problems = contract.check(method, path, status, content_type, body)
    assert problems and complaint in problems[0], problems


async def test_a_client_with_the_contract_raises_on_an_undocumented_answer(
    contract: Contract,
) -> None:
    def teapot(request: httpx.Request) -> httpx.Response:
        return httpx.Response(418, json={"status": "ok"})

    async with httpx.AsyncClient(
        transport=httpx.MockTransport(teapot), base_url="http://testserver"
    ) as raw:
        checked = install(raw, contract)
        with pytest.raises(ContractViolation, match="418: status not documented"):
            await checked.get("/health/live")
