"""A small piece shared by the ASGI wrappers around the app (metrics, shutdown answers)."""

from __future__ import annotations

from litestar.types import Message, Send


class TrackedSend:
    """Passes messages on to `send`, noting the response's status once it has started."""

    def __init__(self, send: Send) -> None:
        self._send = send
        self.status: int | None = None

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = int(message["status"])
        await self._send(message)
