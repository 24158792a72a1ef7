"""What a worker process sets up once: settings, plugins and the bound database engine."""

from __future__ import annotations

from celery import current_app

from core import db
from core.plugins import piccolo_app_modules


def ensure_database() -> None:
    """Bind the engine of the current app's settings the first time a task needs the database."""
    try:
        db.bound_engine()
    except RuntimeError:
        settings = current_app.conf.shomei_settings
        db.setup_database(settings, piccolo_app_modules(current_app.conf.shomei_plugins))
