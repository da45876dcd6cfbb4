"""The one Piccolo app: its migrations live in the top-level `migrations/` folder."""

from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig

APP_CONFIG = AppConfig(
    app_name="service",
    migrations_folder_path=str(Path(__file__).resolve().parent.parent / "migrations"),
    table_classes=[],
    migration_dependencies=[],
    commands=[],
)
