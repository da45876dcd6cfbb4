"""Instrument search: segmentation, the synonym dictionary, the index and the query planner.

Write paths call `service.search.index.index_instruments` in their own transaction; readers
build a plan with `service.search.plan.plan_query` and splice its SQL into their queries.
"""
