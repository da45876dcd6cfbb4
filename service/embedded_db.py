"""The embedded PostgreSQL used when no `DATABASE_URL` is configured.

`pgserver` ships PostgreSQL binaries inside a wheel, so a fresh machine with only Python can run
the service. The server lives under the data directory and is stopped when the owning process
exits. It has no contrib extensions, which is why no migration may rely on one.
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path
from typing import Any

#: pgserver's list of the processes that hold the server (its own file format: a JSON list).
HANDLES_FILE = ".handle_pids.json"


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
        self._forget_dead_owners()
        get_server = pgserver.get_server  # type: ignore[attr-defined]
        self._server = get_server(str(self.data_dir), cleanup_mode="stop")
        return str(self._server.get_uri())

    def _forget_dead_owners(self) -> None:
        """pgserver stops the server when its last owning process lets go, counting owners in
        a file of process ids. A process killed outright (SIGKILL, the OOM killer) never lets
        go, and the server would then outlive every later owner: forget the dead ones."""
        handles = self.data_dir / HANDLES_FILE
        try:
            pids = json.loads(handles.read_text())
        except (FileNotFoundError, ValueError):
            return
        alive = [pid for pid in pids if isinstance(pid, int) and _running(pid)]
        if alive != pids:
            handles.write_text(json.dumps(alive))

    def stop(self) -> None:
        if self._server is not None:
            self._server.cleanup()
            self._server = None


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


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
