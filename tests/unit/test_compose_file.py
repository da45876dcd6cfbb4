"""docker-compose.yml, checked by reading (no Docker engine runs the suite): the one-shot
migrate step creates the first admin, and everything else waits for it."""

from __future__ import annotations

from pathlib import Path

import yaml

COMPOSE = Path(__file__).resolve().parents[2] / "docker-compose.yml"


def test_migrate_step_passes_the_first_admin_and_the_app_waits_for_it() -> None:
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    migrate = services["migrate"]
    assert migrate["command"] == ["python", "-m", "service", "migrate"]
    assert {"ADMIN_EMAIL", "ADMIN_PASSWORD", "DATABASE_URL"} <= set(migrate["environment"])
    for name in ("web", "scheduler"):
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )
        assert (
            services[name]["environment"]["DATABASE_URL"] == migrate["environment"]["DATABASE_URL"]
        )
    assert "--no-demo" in services["web"]["command"]
