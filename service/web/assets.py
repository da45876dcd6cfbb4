"""Copies the front-end libraries installed from the npm registry into `static/vendor/`, so the
pages work offline and no CDN is contacted."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENDOR = Path(__file__).parent / "static" / "vendor"

#: npm file (relative to node_modules) -> name under static/vendor
FILES: dict[str, str] = {}


def copy_assets() -> list[str]:
    VENDOR.mkdir(parents=True, exist_ok=True)
    copied = []
    for source, target in FILES.items():
        path = ROOT / "node_modules" / source
        if path.exists():
            shutil.copyfile(path, VENDOR / target)
            copied.append(target)
    return copied


if __name__ == "__main__":
    print("vendor assets:", ", ".join(copy_assets()) or "none")
