"""SMTP delivery with aiosmtplib: one connection per batch, one verdict per message.

`SMTP_URL` is `smtp://[user:pass@]host[:port]` (STARTTLS when the server offers it) or
`smtps://…` (TLS from the first byte, port 465 by default).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from email.message import Message
from urllib.parse import unquote, urlsplit

import aiosmtplib

TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class SmtpTarget:
    host: str
    port: int
    use_tls: bool
    username: str | None
    password: str | None


def parse_smtp_url(url: str) -> SmtpTarget:
    parts = urlsplit(url)
    if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
        raise ValueError(f"SMTP_URL must be smtp://host:port or smtps://host:port, not {url!r}")
    tls = parts.scheme == "smtps"
    return SmtpTarget(
        host=parts.hostname,
        port=parts.port or (465 if tls else 25),
        use_tls=tls,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


#: Called after each message with the message's index and None (accepted) or the error text.
Verdict = Callable[[int, str | None], Awaitable[None]]


async def send_all(url: str, messages: Sequence[Message], verdict: Verdict) -> None:
    """Send `messages` over one connection. A refused message fails alone; a broken connection
    fails the message in flight and every one after it."""
    if not messages:
        return
    target = parse_smtp_url(url)
    client = aiosmtplib.SMTP(
        hostname=target.host,
        port=target.port,
        use_tls=target.use_tls,
        username=target.username,
        password=target.password,
        timeout=TIMEOUT_SECONDS,
    )
    done = 0
    try:
        await client.connect()
        for index, message in enumerate(messages):
            error: str | None = None
            try:
                await client.send_message(message)
            except (aiosmtplib.SMTPRecipientsRefused, aiosmtplib.SMTPResponseException) as exc:
                error = _describe(exc)
            await verdict(index, error)
            done = index + 1
            if not client.is_connected and done < len(messages):
                raise aiosmtplib.SMTPServerDisconnected("the server closed the connection")
    except (aiosmtplib.SMTPException, OSError) as exc:
        for rest in range(done, len(messages)):
            await verdict(rest, _describe(exc))
    finally:
        if client.is_connected:
            try:
                await client.quit()
            except (aiosmtplib.SMTPException, OSError):
                client.close()


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:1000]
