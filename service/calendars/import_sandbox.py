"""Reading an uploaded `.ics` file away from the event loop, within a time budget.

Parsing and expanding recurrences is pure-Python CPU work whose cost the uploader controls: a
134-byte file with an hourly rule starting in 1970 kept the expander busy for minutes, and
on the event loop that froze every request of the process. A thread cannot be stopped when
its budget is spent, so each upload is read in a child process that is killed at the deadline;
the child also gives each upload a parser of its own (no zone cache shared with other uploads).

Children come from a `forkserver` that has already imported the reader, so one costs a fork,
not an interpreter start. At most `PARALLEL` run at once per server process; further uploads
wait for a slot (in a worker thread, so the loop stays free).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import resource
import threading
from contextlib import suppress
from datetime import datetime
from multiprocessing.connection import Connection
from typing import Any

from service.calendars.ics_import import (
    IcsError,
    LimitExceeded,
    Limits,
    Occurrence,
    over_limit,
    read_occurrences,
)

PARALLEL = 2
#: Address space a child may use: a file whose rules explode into millions of occurrences
#: meets this (MemoryError) rather than the machine's memory, if it outruns the time budget.
MEMORY_BYTES = 1 << 30
_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload(["service.calendars.ics_import"])
_SLOTS = threading.BoundedSemaphore(PARALLEL)


def _child(
    out: Connection,
    data: bytes,
    timezone: str,
    window: tuple[datetime, datetime],
    *,
    limits: Limits,
) -> None:
    """Runs in the child: the outcome goes back as a tuple, never as an exception."""
    with suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    result: tuple[Any, ...]
    try:
        result = ("ok", read_occurrences(data, timezone, window[0], window[1], limits=limits))
    except LimitExceeded as exc:
        result = ("limit", exc.limit, str(exc))
    except IcsError as exc:
        result = ("invalid", str(exc))
    except MemoryError:
        result = ("invalid", "Reading the file needs more memory than an upload may use.")
    except Exception as exc:  # noqa: BLE001 - whatever a hostile file provokes is "bad file"
        result = ("invalid", f"The file cannot be read: {type(exc).__name__}: {exc}"[:500])
    out.send(result)
    out.close()


def _outcome(result: tuple[Any, ...], limits: Limits) -> list[Occurrence]:
    if result[0] == "ok":
        return list(result[1])
    if result[0] == "limit":
        raise over_limit(limits, result[1])
    raise IcsError(str(result[1]))


def _read(
    data: bytes, timezone: str, window: tuple[datetime, datetime], limits: Limits
) -> list[Occurrence]:
    """Blocking: start the child, wait at most `limits.max_seconds`, kill it if still busy."""
    with _SLOTS:
        receive, send = _CONTEXT.Pipe(duplex=False)
        child = _CONTEXT.Process(
            target=_child,
            args=(send, data, timezone, window),
            kwargs={"limits": limits},
            daemon=True,
        )
        child.start()
        send.close()
        try:
            if not receive.poll(limits.max_seconds):
                raise over_limit(limits, "seconds")
            try:
                result = receive.recv()
            except EOFError:
                raise IcsError("The file could not be read: the reader stopped.") from None
        finally:
            if child.is_alive():
                child.kill()
            child.join(5)
            receive.close()
    return _outcome(result, limits)


async def read_upload(
    data: bytes, timezone: str, window: tuple[datetime, datetime], limits: Limits
) -> list[Occurrence]:
    """The occurrences of an upload within `window`, or `IcsError` / `LimitExceeded`. The
    size limit is checked here first, so an oversized body never reaches a child."""
    if len(data) > limits.max_bytes:
        raise over_limit(limits, "size")
    return await asyncio.to_thread(_read, data, timezone, window, limits)
