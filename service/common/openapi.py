"""Error responses in the OpenAPI schema, documented once for every operation.

Every error is problem+json from one mapper (`service.errors`), so the codes any operation can
answer are known centrally: bad bodies (400, 413), validation (422), authentication (401, 403),
unknown objects (404), throttling (429) and database outages (503). Writes can also meet
conflicts (409) and, with versions, preconditions (412, 428). Route-specific descriptions set on
a handler are kept.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import time
from typing import Any

from litestar import Litestar
from litestar._openapi.schema_generation import SchemaCreator
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import (
    OpenAPIFormat,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Schema,
)
from litestar.plugins import OpenAPISchemaPlugin
from litestar.typing import FieldDefinition

from service.common.schemas import Problem
from service.common.time import Instant
from service.errors import PROBLEM_JSON

_COMMON = {
    400: "Malformed request (e.g. invalid JSON)",
    401: "Authentication required or the credentials are invalid",
    403: "Not allowed for this user",
    404: "No such object, or not visible to this user",
    422: "Invalid parameters or body; `violations`/`errors` list every problem",
    429: "Too many requests",
    503: "The database is unavailable or busy; retry after `Retry-After` seconds",
}
_WRITES = {
    409: "Conflicts with the current state; `conflicts`/`alternatives` where they apply",
    413: "Request body too large",
}
_VERSIONED = {
    412: "`If-Match` names an older version",
    428: "`If-Match` is required",
}


def problem_spec(description: str) -> ResponseSpec:
    return ResponseSpec(
        data_container=Problem,
        media_type=PROBLEM_JSON,
        description=description,
        generate_examples=False,
    )


#: The documented refusals of a route only platform administrators may call.
ADMIN_ONLY = {
    401: problem_spec("Log in or send a bearer token."),
    403: problem_spec("Only platform administrators may see this."),
}


def _codes_for(handler: HTTPRouteHandler) -> dict[int, str]:
    codes = dict(_COMMON)
    methods = {m.upper() for m in handler.http_methods}
    if methods & {"POST", "PUT", "PATCH", "DELETE"}:
        codes.update(_WRITES)
    if methods & {"PATCH", "PUT"}:
        codes.update(_VERSIONED)
    return codes


def _as_problem(code: int, spec: ResponseSpec) -> ResponseSpec:
    """Errors are problem+json whatever a handler's spec says (the mapper makes them so)."""
    if code >= 400 and spec.media_type != PROBLEM_JSON:
        return replace(spec, media_type=PROBLEM_JSON)
    return spec


def document_problems(app: Litestar) -> None:
    """Add the common problem responses to every schema-visible handler (before the schema is
    first generated, which happens lazily on the first request for it)."""
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if not isinstance(handler, HTTPRouteHandler) or not handler.include_in_schema:
                continue
            responses: dict[int, Any] = {
                code: _as_problem(code, spec) for code, spec in (handler.responses or {}).items()
            }
            for code, description in _codes_for(handler).items():
                responses.setdefault(code, problem_spec(description))
            if handler.security is not None and not any(handler.security):
                handler.operation_class = PublicOperation
            if handler.status_code == 204:
                # Litestar would give a `Response[None]` answer a JSON `null` body.
                responses.setdefault(204, ResponseSpec(None, description="Done; no body"))
            handler.responses = responses


#: What a CSV export is in the schema: UTF-8 text (with a byte-order mark), one header line.
CSV_MEDIA = OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING, description="UTF-8 CSV"))


@dataclass
class JsonOrCsvOperation(Operation):
    """An operation whose 200 answer is JSON by default and CSV on request (`format=csv`).
    Litestar documents one media type per response; this adds `text/csv` beside the JSON."""

    def __post_init__(self) -> None:
        ok = (self.responses or {}).get("200")
        if isinstance(ok, OpenAPIResponse):
            ok.content = {**(ok.content or {}), "text/csv": CSV_MEDIA}


@dataclass
class PublicOperation(Operation):
    """An operation that needs no credentials (login, register, feeds): `security: []`.
    Litestar drops an empty list, and `[{}]` ("anonymous allowed") makes client generators
    demand a token for the very call that obtains one."""

    def __post_init__(self) -> None:
        self.security = []


class InstantSchemaPlugin(OpenAPISchemaPlugin):
    """`Instant` is a `datetime` subclass; document it as what clients send: a date-time
    string (RFC 3339, with offset)."""

    @staticmethod
    def is_plugin_supported_type(value: Any) -> bool:
        return value is Instant

    def to_openapi_schema(
        self, field_definition: FieldDefinition, schema_creator: SchemaCreator
    ) -> Schema:
        return Schema(
            type=OpenAPIType.STRING,
            format=OpenAPIFormat.DATE_TIME,
            description="ISO 8601 date-time with a UTC offset; naive times and numbers are refused",
            examples=["2030-01-07T09:00:00+08:00"],
        )


class WallTimeSchemaPlugin(OpenAPISchemaPlugin):
    """`datetime.time` values are local wall-clock times ("08:30:00"); Litestar would call them
    durations, and OpenAPI's `format: time` demands an offset they do not have."""

    @staticmethod
    def is_plugin_supported_type(value: Any) -> bool:
        return value is time

    def to_openapi_schema(
        self, field_definition: FieldDefinition, schema_creator: SchemaCreator
    ) -> Schema:
        return Schema(
            type=OpenAPIType.STRING,
            pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]+)?)?$",
            description="local wall-clock time in the instrument's zone, HH:MM[:SS]",
            examples=["08:30:00"],
        )
