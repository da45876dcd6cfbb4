"""ASGI entry point for multi-worker uvicorn and other servers (`service.asgi:app`).

Web workers never run the scheduler: it runs once, in `python -m service worker`.
"""

from service.app import create_app
from service.settings import Settings

app = create_app(Settings.from_env())
