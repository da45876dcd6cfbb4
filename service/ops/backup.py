"""`python -m service backup FILE` and `restore FILE`: the whole database with pg_dump's custom
format, for the embedded server and for `DATABASE_URL` alike.

A dump is only as good as the tool that made it: pg_dump must be of the server's major version
(an older one refuses a newer server, a newer one writes archives an older pg_restore cannot
read). The tools are looked for in `PG_BIN_DIR`, in the binaries the embedded server ships
(pgserver), in the usual per-version install folders and on `PATH`; the first of the server's
major version wins. The password travels in `PGPASSWORD`, never on a command line.

Restore goes into an empty database (a fresh data directory, or a new database) in one
transaction, so a failed restore leaves nothing behind; `--force` replaces the objects of a
database that is not empty.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import subprocess
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

import asyncpg

from service.ops import sql
from service.settings import Settings

#: Folders where distributions install one PostgreSQL major version each.
_VERSIONED_DIRS = (
    "/usr/lib/postgresql/{major}/bin",  # Debian, Ubuntu
    "/usr/pgsql-{major}/bin",  # RHEL, Fedora (PGDG)
    "/opt/homebrew/opt/postgresql@{major}/bin",  # macOS Homebrew (arm64)
    "/usr/local/opt/postgresql@{major}/bin",  # macOS Homebrew (x86_64)
)


class BackupError(RuntimeError):
    """Told to the operator as is: no matching tool, a database that is not empty, a tool error."""


def _pgserver_bin() -> Path | None:
    try:
        with warnings.catch_warnings():  # pgserver asks platformdirs for a runtime dir
            warnings.simplefilter("ignore")
            import pgserver
    except ImportError:  # pragma: no cover - pgserver is a dependency
        return None
    path = Path(pgserver.__file__).parent / "pginstall" / "bin"
    return path if path.is_dir() else None


def candidate_dirs(major: int) -> list[Path]:
    dirs = [Path(p) for p in os.environ.get("PG_BIN_DIR", "").split(os.pathsep) if p]
    bundled = _pgserver_bin()
    if bundled is not None:
        dirs.append(bundled)
    dirs += [Path(d.format(major=major)) for d in _VERSIONED_DIRS]
    return dirs


def tool_major(path: Path) -> int | None:
    """The major version a `pg_dump --version` style answer names."""
    try:
        out = subprocess.run(  # noqa: S603
            [str(path), "--version"], capture_output=True, text=True, timeout=20, check=False
        ).stdout
    except OSError:
        return None
    found = re.search(r"\)\s*(\d+)(?:\.\d+)?", out) or re.search(r"(\d+)\.\d+", out)
    return int(found.group(1)) if found else None


def find_tool(name: str, major: int) -> Path:
    seen: list[str] = []
    on_path = shutil.which(name)
    paths = [d / name for d in candidate_dirs(major)] + ([Path(on_path)] if on_path else [])
    for path in paths:
        if path.is_file() and os.access(path, os.X_OK):
            version = tool_major(path)
            seen.append(f"{path} ({version})")
            if version == major:
                return path
    raise BackupError(
        f"no {name} of PostgreSQL {major} found (the server's major version); tried: "
        f"{', '.join(seen) or 'nothing'}. Install the client tools of version {major} or set "
        "PG_BIN_DIR to the folder that holds them."
    )


def split_password(url: str) -> tuple[str, dict[str, str]]:
    """The URL without its password, and the environment that carries it (PGPASSWORD)."""
    parts = urlsplit(url)
    env = dict(os.environ)
    query = dict(parse_qsl(parts.query))
    password = unquote(parts.password) if parts.password else query.pop("password", None)
    if password:
        env["PGPASSWORD"] = password
    netloc = parts.netloc.rsplit("@", 1)
    if len(netloc) == 2:
        user = netloc[0].split(":", 1)[0]
        netloc = [f"{user}@{netloc[1]}"]
    return urlunsplit(parts._replace(netloc=netloc[0], query=urlencode(query))), env


async def server_facts(url: str) -> tuple[int, int]:
    """(server major version, number of tables in the public schema)."""
    conn = await asyncpg.connect(url)
    try:
        version = int(await conn.fetchval(sql.SERVER_VERSION))
        tables = int(await conn.fetchval(sql.COUNT_PUBLIC_TABLES))
    finally:
        await conn.close()
    return version // 10000, tables


def _run(args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed: {result.stderr.strip()[-2000:]}")


def backup(url: str, target: Path) -> Path:
    """Write the whole database to `target` (custom format, compressed); returns the tool used."""
    major, _ = asyncio.run(server_facts(url))
    tool = find_tool("pg_dump", major)
    plain, env = split_password(url)
    partial = target.with_name(target.name + ".partial")
    _run(
        [str(tool), "--format=custom", "--no-owner", "--no-privileges",
         f"--file={partial}", f"--dbname={plain}"],
        env,
    )  # fmt: skip
    partial.replace(target)  # a file named FILE is always a whole dump
    return tool


def restore(url: str, source: Path, *, force: bool = False) -> Path:
    """Load a dump made by `backup` into the database at `url` in one transaction."""
    if not source.is_file():
        raise BackupError(f"{source}: no such file")
    major, tables = asyncio.run(server_facts(url))
    if tables and not force:
        raise BackupError(
            f"the database already has {tables} tables; restore into an empty database "
            "(a new DATA_DIR or a new database), or pass --force to replace its contents"
        )
    tool = find_tool("pg_restore", major)
    plain, env = split_password(url)
    args = [str(tool), "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
    if tables:
        args += ["--clean", "--if-exists"]
    _run([*args, f"--dbname={plain}", str(source)], env)
    return tool


def add_parsers(sub: Any) -> None:
    b = sub.add_parser("backup", help="dump the whole database to FILE (pg_dump custom format)")
    b.add_argument("file", type=Path)
    r = sub.add_parser("restore", help="load FILE made by `backup` into an empty database")
    r.add_argument("file", type=Path)
    r.add_argument("--force", action="store_true", help="replace a database that is not empty")


def run_cli(settings: Settings, args: argparse.Namespace) -> None:
    url = settings.database_url or ""
    try:
        if args.command == "backup":
            tool = backup(url, args.file)
            print(f"backup written to {args.file} ({tool})")
        else:
            tool = restore(url, args.file, force=args.force)
            print(f"restored {args.file} ({tool}); run `python -m service migrate` to upgrade")
    except BackupError as exc:
        raise SystemExit(f"{args.command}: {exc}") from None
