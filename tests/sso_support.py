"""Real identity providers on loopback for the single sign-on tests, and a browser-like HTTP
client that walks a sign-on across them and the app.

- `OidcServer`: the certified `oidc-provider` (node, tests/sso/oidc_provider.mjs), two issuers
  sharing one signing key, each with the clients "instrument-share" and "another-client".
- `CasServer`: django-cas-server (tests/sso/cas_server.py) with the users given at start.
- `SignOnClient`: one cookie jar for the app (through ASGI, as http://testserver) and the
  providers (real HTTP), following redirects step by step so a test can stop at the callback.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from tests.live_server import ROOT, free_port

APP = "http://testserver"
CLIENT_ID = "instrument-share"
CLIENT_SECRET = "instrument-share-secret"  # noqa: S105
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


class OidcServer:
    def __init__(self, redirect_uris: list[str], count: int = 2) -> None:
        node = shutil.which("node")
        if node is None or not (ROOT / "node_modules" / "oidc-provider").is_dir():
            pytest.skip("node or node_modules/oidc-provider is missing: run `make node`")
        self.ports = [free_port() for _ in range(count)]
        config = json.dumps({"ports": self.ports, "redirect_uris": redirect_uris})
        self.proc = subprocess.Popen(  # noqa: S603
            [node, str(ROOT / "tests" / "sso" / "oidc_provider.mjs"), config],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )  # fmt: skip
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the OpenID provider did not start")
        self.issuers: list[str] = json.loads(line)["issuers"]

    @property
    def issuer(self) -> str:
        return self.issuers[0]

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)
        assert self.proc.stdout is not None
        self.proc.stdout.close()


class CasServer:
    def __init__(self, users: list[dict[str, str]]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/cas"
        self.proc = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "tests.sso.cas_server", str(self.port), json.dumps(users)],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("the CAS server exited")
            try:
                if httpx.get(self.url + "/login", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("the CAS server did not start within 60 s")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def hidden_fields(html: str) -> dict[str, str]:
    return dict(_HIDDEN.findall(html))


@asynccontextmanager
async def sign_on_client(app: Any, language: str = "zh-CN") -> AsyncIterator[SignOnClient]:
    mounts = {APP: httpx.ASGITransport(app=app), "all://127.0.0.1": httpx.AsyncHTTPTransport()}
    async with httpx.AsyncClient(
        mounts=mounts, base_url=APP, headers={"Accept-Language": language}, timeout=15
    ) as http:
        yield SignOnClient(http)


class SignOnClient:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def walk(self, response: httpx.Response, *, stop_at: str | None = None) -> httpx.Response:
        """Follow redirects one by one; stop before a URL starting with `stop_at`."""
        while response.is_redirect:
            target = str(response.next_request.url) if response.next_request else ""
            if stop_at and target.startswith(stop_at):
                return response
            response = await self.http.get(target)
        return response

    async def start(self, provider_id: int, next_path: str = "") -> httpx.Response:
        """From our start URL to the provider's login form (or a refusal page of ours)."""
        query = f"?next={next_path}" if next_path else ""
        return await self.walk(await self.http.get(f"/sso/{provider_id}/start{query}"))

    async def oidc_login(
        self, form: httpx.Response, login: str, *, to_callback: bool = False
    ) -> httpx.Response:
        """Sign in at the OpenID provider's form; with `to_callback`, stop at our callback
        (the response whose Location is it)."""
        posted = await self.http.post(f"{form.url}/login", data={"login": login})
        return await self.walk(posted, stop_at=f"{APP}/sso/callback" if to_callback else None)

    async def cas_login(
        self, form: httpx.Response, username: str, password: str, *, to_callback: bool = False
    ) -> httpx.Response:
        fields = {**hidden_fields(form.text), "username": username, "password": password}
        posted = await self.http.post(str(form.url), data=fields)
        return await self.walk(posted, stop_at=f"{APP}/sso/callback" if to_callback else None)

    async def me(self) -> httpx.Response:
        return await self.http.get("/api/v1/me")


def callback_of(response: httpx.Response) -> str:
    assert response.is_redirect, response.text
    return response.headers["location"]
