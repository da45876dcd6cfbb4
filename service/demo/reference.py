"""Reference data every installation needs.

The migrations ship it (`migrations/data/reference_*.json`): the province's regions, the
national instrument classification (大类/中类/小类), GB/T 13745 disciplines, GB/T 2659
countries and the funding-source codes; updating it is a migration. `seed_reference` remains
for the demo, the tests and the benchmarks: it adds the demo's partner regions on top.
"""

from __future__ import annotations

from service.db import Database
from service.demo.regions import seed_partner_regions


async def seed_reference(db: Database) -> None:
    await seed_partner_regions(db)
