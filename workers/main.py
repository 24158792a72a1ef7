"""Entry points for ``shomei worker`` and ``shomei beat``."""

from __future__ import annotations

import asyncio

from core.bootstrap import plugin_manager, preflight
from core.clock import SystemClock
from core.logs import configure_logging
from core.settings import get_settings
from workers.celery_app import QUEUES, create_celery, embedded_worker_options


def run_worker(argv: list[str]) -> None:
    settings = get_settings()
    asyncio.run(preflight(settings, plugin_manager(settings)))
    configure_logging(settings.log_level)
    app = create_celery(settings, plugin_manager(settings), SystemClock())
    defaults = ["worker", "--loglevel", settings.log_level]
    if "--queues" not in argv and "-Q" not in argv:
        defaults += ["--queues", ",".join(QUEUES)]
    if not settings.production:
        defaults += ["--pool", "threads", "--concurrency", "2", *embedded_worker_options(settings)]
    app.worker_main([*defaults, *argv])


def run_beat(argv: list[str]) -> None:
    settings = get_settings()
    asyncio.run(preflight(settings, plugin_manager(settings)))
    configure_logging(settings.log_level)
    app = create_celery(settings, plugin_manager(settings), SystemClock())
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    schedule = settings.var_dir / "beat-schedule"
    app.start(["beat", "--loglevel", settings.log_level, "--schedule", str(schedule), *argv])
