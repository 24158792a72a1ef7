"""The one Celery application factory.

No Celery app exists at import time: ``create_celery`` builds it from ``Settings`` (the CLI, the
web process and the tests each call it). Tasks are ``shared_task``s, so they attach to whichever
app is current. Every setting below is chosen on purpose; docs/workers.md explains each.
"""

from __future__ import annotations

from typing import Any

import pluggy
from celery import Celery
from celery.schedules import crontab
from kombu import Exchange, Queue

from core.broker import broker_options, transport_for
from core.clock import Clock
from core.plugins import collect_list, collect_mapping
from core.schedules.beat import DailyAt
from core.settings import Settings
from workers import signals

QUEUES = ("default", "provider", "email", "billing", "jobs")
OWN_TASK_MODULES = ("workers.tasks.system", "workers.tasks.outbox", "workers.tasks.webhooks")
OWN_SCHEDULE: dict[str, dict[str, Any]] = {
    # the outbox relay's sweep; each tenant's delivery then runs as its own task
    "outbox-relay": {"task": "shomei.default.relay_outbox", "schedule": 10.0},
}


def beat_schedule(entries: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Beat entries as Celery wants them: a ``DailyAt`` becomes a ``crontab``; seconds and
    Celery schedules pass through."""
    return {name: {**e, "schedule": _celery(e["schedule"])} for name, e in entries.items()}


def _celery(schedule: Any) -> Any:
    if isinstance(schedule, DailyAt):
        at = schedule
        return crontab(hour=at.hour, minute=at.minute, day_of_month=at.day_of_month)
    return schedule


def route_task(
    name: str, args: Any, kwargs: Any, options: Any, task: Any = None, **kw: Any
) -> dict[str, str]:
    """``shomei.<queue>.<task>`` goes to ``<queue>``; anything else to ``default``."""
    parts = name.split(".")
    queue = (
        parts[1] if len(parts) > 2 and parts[0] == "shomei" and parts[1] in QUEUES else "default"
    )
    return {"queue": queue}


def create_celery(settings: Settings, pm: pluggy.PluginManager, clock: Clock) -> Celery:
    """The app for ``settings``; its tasks read the time from ``clock`` (``workers.runtime.clock``),
    which only the entry points (``shomei worker``/``beat``) make a ``SystemClock``."""
    app = Celery("shomei", set_as_current=True)
    app.conf.update(
        broker_url=settings.broker_url,
        broker_transport=transport_for(settings.broker_url),
        broker_transport_options=broker_options(settings),
        broker_connection_retry_on_startup=True,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        task_queues=[Queue(name, Exchange(name), routing_key=name) for name in QUEUES],
        task_default_queue="default",
        task_routes=(route_task,),
        task_time_limit=settings.task_time_limit,
        task_soft_time_limit=max(settings.task_time_limit - 30, 10),
        task_acks_late=False,
        worker_prefetch_multiplier=1,
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,  # print() and tracebacks stay whole, not one log line a char
        enable_utc=True,
        timezone="Asia/Tokyo",
        beat_schedule=beat_schedule(
            {**OWN_SCHEDULE, **collect_mapping(pm, "register_periodic_tasks")}
        ),
        imports=[*OWN_TASK_MODULES, *collect_list(pm, "register_task_modules")],
    )
    app.conf.shomei_settings = settings
    app.conf.shomei_plugins = pm
    app.conf.shomei_clock = clock
    app.set_default()  # threads of this process (a threads pool, asyncio.to_thread) see it too
    signals.connect()
    return app


def embedded_worker_options(settings: Settings) -> list[str]:
    """The filesystem broker has no fan-out exchange: gossip, mingle and events stay off."""
    if settings.broker_url.startswith("filesystem"):
        return ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    return []
