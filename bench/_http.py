"""A minimal keep-alive HTTP/1.1 client for the benchmarks: httpx costs more CPU per request
than the server under test, and client and server share the machine's two cores."""

from __future__ import annotations

import asyncio
import json


class KeepAliveClient:
    def __init__(self, port: int, token: str | None = None) -> None:
        self.port, self.token = port, token
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def _send(self, head: str, data: bytes = b"") -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        self.writer.write(head.encode() + data)
        status_line = await self.reader.readline()
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        body = await self.reader.readexactly(length)
        return int(status_line.split()[1]), body

    def _auth(self) -> str:
        return f"Authorization: Bearer {self.token}\r\n" if self.token else ""

    async def get(self, path: str) -> int:
        head = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{self._auth()}\r\n"
        return (await self._send(head))[0]

    async def post(self, path: str, payload: dict[str, object], headers: str = "") -> int:
        data = json.dumps(payload).encode()
        head = (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{self._auth()}{headers}"
            f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
        )
        return (await self._send(head, data))[0]

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None
