"""ASGI entry point for multi-worker uvicorn and other servers (`service.asgi:app`).

Web workers never run the scheduler: it runs once, in `python -m service worker`.
"""

from service.app import create_app
from service.ops.logging import configure_logging
from service.settings import Settings

_settings = Settings.from_env()
configure_logging(_settings.log_level)
app = create_app(_settings)
