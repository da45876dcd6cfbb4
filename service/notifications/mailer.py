"""SMTP delivery with aiosmtplib: one connection per batch, one verdict per message.

`SMTP_URL` is `smtp://[user:pass@]host[:port]` (STARTTLS when the server offers it) or
`smtps://…` (TLS from the first byte, port 465 by default).

Two kinds of failure are kept apart. The server refusing one message (a 4xx/5xx reply to its
sender, recipients or data) is that message's failure. Not reaching the server at all, losing
the connection, a timeout, or `421 service not available` fail every message alike: that is a
mail outage (`MailOutage`), which the delivery job answers by pausing the whole queue rather
than charging a failed attempt to each notice.
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
#: "Service not available, closing transmission channel": the server, not the message.
SERVICE_UNAVAILABLE = 421


class MailOutage(Exception):
    """The server cannot be used at all; `done` messages got a verdict before it happened."""

    def __init__(self, error: str, done: int = 0) -> None:
        super().__init__(error)
        self.error = error
        self.done = done


def _client(url: str) -> aiosmtplib.SMTP:
    target = parse_smtp_url(url)
    return aiosmtplib.SMTP(
        hostname=target.host,
        port=target.port,
        use_tls=target.use_tls,
        username=target.username,
        password=target.password,
        timeout=TIMEOUT_SECONDS,
    )


def _message_error(exc: Exception) -> str | None:
    """The text of a refusal of this message alone, or None if the failure is the server's."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        return _describe(exc)
    if isinstance(exc, aiosmtplib.SMTPResponseException) and exc.code != SERVICE_UNAVAILABLE:
        return _describe(exc)
    return None


async def send_all(url: str, messages: Sequence[Message], verdict: Verdict) -> None:
    """Send `messages` over one connection. A refused message fails alone; anything that
    makes the server unusable raises `MailOutage` for the message in flight and the rest,
    which get no verdict. Errors of `verdict` itself (the database) propagate unchanged."""
    if not messages:
        return
    client = _client(url)
    try:
        try:
            await client.connect()
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise MailOutage(_describe(exc), 0) from exc
        for index, message in enumerate(messages):
            await verdict(index, await _send_one(client, message, index))
            if not client.is_connected and index + 1 < len(messages):
                raise MailOutage(
                    "SMTPServerDisconnected: the server closed the connection", index + 1
                )
    finally:
        await _close(client)


async def _send_one(client: aiosmtplib.SMTP, message: Message, index: int) -> str | None:
    """None when accepted, the refusal's text when the server refused this message."""
    try:
        await client.send_message(message)
    except (aiosmtplib.SMTPRecipientsRefused, aiosmtplib.SMTPResponseException) as exc:
        error = _message_error(exc)
        if error is None:
            raise MailOutage(_describe(exc), index) from exc
        return error
    except (aiosmtplib.SMTPException, OSError) as exc:
        raise MailOutage(_describe(exc), index) from exc
    return None


async def probe(url: str) -> str | None:
    """Whether the server answers: connect (with EHLO and STARTTLS/TLS as configured), NOOP,
    QUIT. None if it does, else the error."""
    client = _client(url)
    try:
        await client.connect()
        await client.noop()
    except (aiosmtplib.SMTPException, OSError) as exc:
        return _describe(exc)
    finally:
        await _close(client)
    return None


async def _close(client: aiosmtplib.SMTP) -> None:
    if client.is_connected:
        try:
            await client.quit()
        except (aiosmtplib.SMTPException, OSError):
            client.close()


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:1000]
