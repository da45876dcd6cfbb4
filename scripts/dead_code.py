"""Dead code: vulture over the Python (settings in pyproject's `[tool.vulture]`), minus the names
the Jinja templates use — vulture reads Python only, and label tables and filters are often
used by templates alone. Exits 1 when something is unused."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from vulture import Vulture
from vulture.config import make_config

TEMPLATES = Path("service/web/templates")


def main() -> int:
    config = make_config(argv=[])
    vulture = Vulture(
        ignore_names=config["ignore_names"], ignore_decorators=config["ignore_decorators"]
    )
    vulture.scavenge(config["paths"], exclude=config["exclude"])
    in_templates = set(
        re.findall(r"\w+", "\n".join(p.read_text("utf-8") for p in TEMPLATES.rglob("*.html")))
    )
    unused = [
        item
        for item in vulture.get_unused_code(min_confidence=config["min_confidence"])
        if item.name not in in_templates
    ]
    for item in unused:
        print(item.get_report())
    return 1 if unused else 0


if __name__ == "__main__":
    sys.exit(main())
