"""The embedded PostgreSQL used when no `DATABASE_URL` is configured.

`pgserver` ships PostgreSQL binaries inside a wheel, so a fresh machine with only Python can run
the service. The server lives under the data directory and is stopped when the owning process
exits. It has no contrib extensions, which is why no migration may rely on one.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any


class EmbeddedPostgres:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir.resolve() / "pg"
        self._server: Any = None

    def start(self) -> str:
        with warnings.catch_warnings():
            # pgserver asks platformdirs for a runtime dir; a missing XDG_RUNTIME_DIR is harmless.
            warnings.simplefilter("ignore")
            import pgserver

        self.data_dir.mkdir(parents=True, exist_ok=True)
        get_server = pgserver.get_server  # type: ignore[attr-defined]
        self._server = get_server(str(self.data_dir), cleanup_mode="stop")
        return str(self._server.get_uri())

    def stop(self) -> None:
        if self._server is not None:
            self._server.cleanup()
            self._server = None


def ensure_database_url(data_dir: Path) -> tuple[str, EmbeddedPostgres | None]:
    """Return the database URL to use, starting the embedded server when none is configured.

    The URL is exported as `DATABASE_URL` so that child processes (uvicorn workers, the
    migration runner) reach the same server instead of starting their own.
    """
    url = os.environ.get("DATABASE_URL")
    if url:
        return url, None
    embedded = EmbeddedPostgres(data_dir)
    url = embedded.start()
    os.environ["DATABASE_URL"] = url
    return url, embedded
