"""Write the reference data shipped with the migration of 2026-12-03 13:00 (run once; the JSON
is committed, so a later Babel release never changes a migration that has already run).

    python scripts/make_reference_data.py > migrations/data/reference_2026_12_03.json

Countries: GB/T 2659 = ISO 3166-1 alpha-2 codes; Chinese and English names from Babel's CLDR
data, with the names GB/T 2659 uses for Taiwan, Hong Kong and Macao.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel import Locale

sys.path.insert(0, str(Path(__file__).resolve().parent))
from reference_lists import (  # noqa: E402
    CLASSES_V1,
    DISCIPLINES,
    FUNDING_SOURCES,
    PROVINCE_REGIONS,
    SUBCLASSES,
)

#: CLDR territory codes that are not ISO 3166-1 countries (reserved, groupings, unknown).
NOT_ISO = {"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "XK", "ZZ"}
GB_NAMES = {
    "TW": ("中国台湾", "Taiwan, China"),
    "HK": ("中国香港", "Hong Kong, China"),
    "MO": ("中国澳门", "Macao, China"),
}


def countries() -> list[list[str]]:
    zh, en = Locale.parse("zh_Hans_CN"), Locale.parse("en")
    codes = sorted(c for c in en.territories if len(c) == 2 and c.isalpha() and c not in NOT_ISO)
    return [[c, *GB_NAMES.get(c, (zh.territories[c], en.territories[c]))] for c in codes]


def main() -> None:
    data = {
        # the 15 classes and their sub-classes as version 0.1.0 shipped them (codes kept)
        "classes": CLASSES_V1,
        "regions": PROVINCE_REGIONS,
        "subclasses": SUBCLASSES,
        "disciplines": DISCIPLINES,
        "countries": countries(),
        "funding_sources": FUNDING_SOURCES,
    }
    assert len(data["countries"]) == 249
    json.dump(data, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
