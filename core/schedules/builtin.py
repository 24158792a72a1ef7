"""The schedules' hook implementations: beat entries and the task module, named, not imported
(core does not import ``workers/``)."""

from __future__ import annotations

from typing import Any

from core.hookspecs import hookimpl
from core.schedules.jobs import beat_entries

DEAD_LETTER_COLLECT = "shomei.default.collect_dead_letters"


@hookimpl
def register_periodic_tasks() -> dict[str, dict[str, Any]]:
    return {
        **beat_entries(),
        "dead-letter-collect": {"task": DEAD_LETTER_COLLECT, "schedule": 300.0},
    }


@hookimpl
def register_task_modules() -> list[str]:
    return ["workers.tasks.schedules"]
