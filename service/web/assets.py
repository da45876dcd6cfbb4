"""Copies the front-end libraries installed from the npm registry into `static/vendor/`, so the
pages work offline and no CDN is contacted, and compiles the message catalogues (`.po` → `.mo`)."""

from __future__ import annotations

import shutil
from pathlib import Path

from service.common.catalogues import LOCALE_DIR, compile_catalogue, locale_dir_name
from service.common.i18n import SUPPORTED

ROOT = Path(__file__).resolve().parents[2]
VENDOR = Path(__file__).parent / "static" / "vendor"

#: npm file (relative to node_modules) -> name under static/vendor
FILES: dict[str, str] = {
    "htmx.org/dist/htmx.min.js": "htmx.min.js",
    "@fullcalendar/core/index.global.min.js": "fullcalendar-core.min.js",
    "@fullcalendar/core/locales/zh-cn.global.min.js": "fullcalendar-zh-cn.min.js",
    "@fullcalendar/daygrid/index.global.min.js": "fullcalendar-daygrid.min.js",
    "@fullcalendar/timegrid/index.global.min.js": "fullcalendar-timegrid.min.js",
    "@fullcalendar/interaction/index.global.min.js": "fullcalendar-interaction.min.js",
    "luxon/build/global/luxon.min.js": "luxon.min.js",
    "@fullcalendar/luxon3/index.global.min.js": "fullcalendar-luxon3.min.js",
    "chart.js/dist/chart.umd.min.js": "chart.umd.min.js",
}


def copy_assets() -> list[str]:
    VENDOR.mkdir(parents=True, exist_ok=True)
    copied = []
    for source, target in FILES.items():
        path = ROOT / "node_modules" / source
        if path.exists():
            shutil.copyfile(path, VENDOR / target)
            copied.append(target)
    return copied


def compile_catalogues() -> list[str]:
    compiled = []
    for language in SUPPORTED:
        target = LOCALE_DIR / locale_dir_name(language) / "LC_MESSAGES" / "messages.mo"
        target.write_bytes(compile_catalogue(language))
        compiled.append(language)
    return compiled


if __name__ == "__main__":
    print("vendor assets:", ", ".join(copy_assets()) or "none")  # noqa: T201
    print("catalogues:", ", ".join(compile_catalogues()))  # noqa: T201
