"""The request class of the app: bodies that cannot even be decoded are the client's fault.

msgspec turns most malformed JSON into a decode error that Litestar answers with 400, but two
kinds of bytes escape as Python exceptions and would be 500s with a traceback in the log:
nesting deeper than the decoder's recursion limit (`RecursionError`) and invalid UTF-8 inside
a JSON string or a multipart field (`UnicodeDecodeError`). Both are refused here, before any
handler, with the same 400 problem as other malformed bodies.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.datastructures import FormMultiDict

from service.errors import MalformedBody

TOO_DEEP = "The body is nested too deeply to be read."
NOT_UTF8 = "The body is not valid UTF-8."


class ServiceRequest(Request[Any, Any, Any]):
    async def json(self) -> Any:
        try:
            return await super().json()
        except RecursionError:
            raise MalformedBody(TOO_DEEP) from None
        except UnicodeDecodeError:
            raise MalformedBody(NOT_UTF8) from None

    async def form(self) -> FormMultiDict:
        try:
            return await super().form()
        except UnicodeDecodeError:
            raise MalformedBody(NOT_UTF8) from None
