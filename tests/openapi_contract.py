"""Every answer the API tests receive is checked against the served OpenAPI schema.

The shared `client` fixture sends each response through `Contract.check`: the status must be
documented for the operation, the content type must be one the status documents, and a JSON
body must validate (jsonschema, draft 2020-12, as OpenAPI 3.1 says) against the documented
schema. So a new endpoint, status or body shape is covered as soon as a test calls it.

Paths the schema does not describe (web pages, static files, the schema itself) are not API
operations and are passed through; an unknown path under `/api/` may only answer 404 or 405.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import httpx
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SCHEMA_URI = "urn:instrument-share:openapi"
_JSON = re.compile(r"^application/([a-z0-9.+-]+\+)?json$")
_PARAM = re.compile(r"\{[^}/]+\}")


class ContractViolation(AssertionError):
    """A response the schema does not describe."""


@dataclass(frozen=True)
class _Route:
    template: str
    pattern: re.Pattern[str]
    operations: dict[str, Any]


def _pointer(*parts: str) -> str:
    return "".join("/" + p.replace("~", "~0").replace("/", "~1") for p in parts)


@dataclass
class Contract:
    document: dict[str, Any]
    routes: list[_Route] = field(init=False)
    registry: Registry[Any] = field(init=False)
    _validators: dict[str, Draft202012Validator] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        routes = []
        for template, item in self.document["paths"].items():
            regex = "[^/]+".join(re.escape(part) for part in _PARAM.split(template))
            ops = {m.upper(): op for m, op in item.items() if isinstance(op, dict)}
            routes.append(_Route(template, re.compile(f"^{regex}$"), ops))
        # Literal paths before templated ones (`/x/export.ics` before `/x/{id}`).
        self.routes = sorted(routes, key=lambda r: (r.template.count("{"), -len(r.template)))
        resource = Resource.from_contents(self.document, default_specification=DRAFT202012)
        self.registry = Registry().with_resource(SCHEMA_URI, resource)

    def _validator(self, pointer: str) -> Draft202012Validator:
        if pointer not in self._validators:
            ref = {"$ref": f"{SCHEMA_URI}#{pointer}"}
            self._validators[pointer] = Draft202012Validator(ref, registry=self.registry)
        return self._validators[pointer]

    def route(self, path: str) -> _Route | None:
        return next((r for r in self.routes if r.pattern.match(path)), None)

    def check(
        self, method: str, path: str, status: int, content_type: str, body: bytes
    ) -> list[str]:
        """Every way this response departs from the schema (empty when it conforms)."""
        route = self.route(path)
        where = f"{method} {path} -> {status}"
        if route is None:
            if path.startswith("/api/") and status not in (404, 405):
                return [f"{where}: no documented path matches"]
            return []
        operation = route.operations.get(method)
        if operation is None:
            return [] if status == 405 else [f"{where}: method not documented for {route.template}"]
        responses = operation.get("responses", {})
        key = next(
            (k for k in (str(status), f"{status // 100}XX", "default") if k in responses), None
        )
        if key is None:
            return [f"{where}: status not documented for {method} {route.template}"]
        return self._check_content(where, route.template, method, key, content_type, body)

    def _check_content(
        self, where: str, template: str, method: str, key: str, content_type: str, body: bytes
    ) -> list[str]:
        content = self.document["paths"][template][method.lower()]["responses"][key].get("content")
        media = content_type.split(";")[0].strip().lower()
        if not content:
            return [f"{where}: body of {media} but none documented"] if body else []
        if media not in content:
            return [f"{where}: content type {media!r} not documented (only {sorted(content)})"]
        if not _JSON.match(media) or not content[media].get("schema"):
            return []
        try:
            instance = json.loads(body)
        except ValueError as exc:
            return [f"{where}: {media} body is not JSON ({exc})"]
        pointer = _pointer("paths", template, method.lower(), "responses", key, "content", media)
        return [
            f"{where}: body at /{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in self._validator(pointer + "/schema").iter_errors(instance)
        ][:5]


def install(client: httpx.AsyncClient, contract: Contract) -> httpx.AsyncClient:
    """Make `client` raise `ContractViolation` on any response the schema does not describe."""

    async def check(response: httpx.Response) -> None:
        request = response.request
        if request.method in ("HEAD", "OPTIONS"):
            return
        body = await response.aread()
        problems = contract.check(
            request.method,
            request.url.path,
            response.status_code,
            response.headers.get("content-type", ""),
            body,
        )
        if problems:
            raise ContractViolation("\n".join(problems))

    client.event_hooks["response"].append(check)
    return client
