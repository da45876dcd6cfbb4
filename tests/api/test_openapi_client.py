"""A client nobody here wrote: openapi-python-client generates one from the schema the running
service serves, and the generated code logs in, lists and reads instruments, books one and
reads the sharing figures over real HTTP."""

from __future__ import annotations

import importlib
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from service.db import Database
from tests.bookings_support import World, local, make_world
from tests.factories import PASSWORD
from tests.live_server import ROOT, LiveServer

pytestmark = pytest.mark.slow

PACKAGE = "instrument_share_client"


@pytest.fixture(scope="module")
def server(database_url: str) -> Iterator[LiveServer]:
    live = LiveServer(database_url).start()
    try:
        yield live
    finally:
        live.stop()


@pytest.fixture(scope="module")
def generated(server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Generate the client from the served schema; any warning (a dropped schema or
    operation) fails the test, as the duplicate titles once made it drop five responses."""
    tool = shutil.which("openapi-python-client", path=str(Path(sys.executable).parent))
    assert tool, "openapi-python-client is a dev dependency"
    where = tmp_path_factory.mktemp("generated")
    config = where / "config.yaml"
    config.write_text(f"package_name_override: {PACKAGE}\npost_hooks: []\n")
    proc = subprocess.run(  # noqa: S603
        [tool, "generate", "--url", f"{server.url}/schema/openapi.json", "--meta", "none",
         "--config", str(config), "--output-path", str(where / PACKAGE)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert "Warning" not in output and "Unable to" not in output, output
    sys.path.insert(0, str(where))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(where))
        for name in [n for n in sys.modules if n.split(".")[0] == PACKAGE]:
            del sys.modules[name]


def _module(name: str) -> ModuleType:
    return importlib.import_module(f"{PACKAGE}.{name}")


def _login(generated: Any, url: str, email: str) -> Any:
    login = _module("api.auth.login")
    models = _module("models")
    answer = login.sync(client=generated.Client(url), body=models.LoginIn(email, PASSWORD))
    assert isinstance(answer, models.LoginOut), answer
    return generated.AuthenticatedClient(url, token=answer.token, raise_on_unexpected_status=True)


@pytest.fixture(scope="module")
async def world(db: Database) -> World:
    return await make_world(db)


def test_the_generated_client_books_and_reads_the_figures(
    generated: Any, server: LiveServer, world: World
) -> None:
    models = _module("models")
    researcher = _login(generated, server.url, world.outsider.email)

    page = _module("api.catalogue.list_instruments").sync(
        client=researcher, institution=world.owner
    )
    assert isinstance(page, models.PageInstrumentSummaryOut), page
    assert [item.id for item in page.items] == [world.instrument]
    instrument = _module("api.catalogue.get_instrument").sync(world.instrument, client=researcher)
    assert isinstance(instrument, models.InstrumentOut), instrument
    assert instrument.id == world.instrument

    day = datetime.now(UTC).date() + timedelta(days=9)
    start = local(day, 10)
    booking = _module("api.bookings.create_booking").sync(
        client=researcher,
        body=models.BookingIn(instrument.id, start, start + timedelta(hours=1), purpose="NMR"),
    )
    assert isinstance(booking, models.BookingOut), booking
    assert booking.start == start and booking.instrument_id == world.instrument

    admin = _login(generated, server.url, world.admin.email)
    figures = _module("api.metrics.metrics_sharing").sync(
        client=admin, from_=day - timedelta(days=30), to=day + timedelta(days=1)
    )
    assert isinstance(figures, models.SharingOut), figures
    assert world.instrument in {int(row.key) for row in figures.rows}
