"""The scheduled jobs by name, and their beat entries (JST, Celery's beat time zone).

| job | beat | tenant batches on |
| --- | --- | --- |
| ``renewal_reminder`` | daily 09:00 | ``default`` |
| ``invoice_overdue`` | daily 09:30 | ``billing`` |
| ``quote_expiry`` | daily 00:30 | ``default`` |
| ``renewal_charge`` | daily 10:00 (with a charger) | ``billing`` |

Every entry sends ``shomei.default.schedule_sweep(job)``; the run lock (``core.schedules.locks``)
lets one sweep per job and JST day through, however many beat processes send it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from core.schedules.beat import DailyAt
from core.schedules.overdue import OverdueReminders
from core.schedules.quote_expiry import QuoteExpiry
from core.schedules.renewal_charges import Charger, RenewalCharges
from core.schedules.renewal_orders import OrderDepsFactory
from core.schedules.renewal_reminders import RenewalReminders, default_renew_url
from core.schedules.sweep import Job

SWEEP_TASK = "shomei.default.schedule_sweep"
DAILY_AT: dict[str, tuple[int, int]] = {
    "renewal_reminder": (9, 0),
    "invoice_overdue": (9, 30),
    "quote_expiry": (0, 30),
    "renewal_charge": (10, 0),
}


def build_jobs(
    public_url: str,
    charger: Charger | None = None,
    order_deps: OrderDepsFactory | None = None,
    extra: Iterable[Job] = (),
) -> dict[str, Job]:
    """Every job; renewal charges only with a ``charger`` and the order engine's
    dependencies (the worker builds both: ``workers.tasks.schedules``). ``extra`` are the
    plugins' jobs (hook ``register_schedule_jobs``)."""
    renew_url = default_renew_url(public_url)
    jobs: list[Job] = [RenewalReminders(renew_url), OverdueReminders(), QuoteExpiry()]
    if charger is not None and order_deps is not None:
        jobs.append(RenewalCharges(charger, order_deps, renew_url))
    jobs.extend(extra)
    return {job.name: job for job in jobs}


def beat_entry(job: str, hour: int, minute: int, day_of_month: str = "*") -> dict[str, Any]:
    """The beat entry of a job's sweep (JST); plugins use it for their own jobs."""
    return {"task": SWEEP_TASK, "schedule": DailyAt(hour, minute, day_of_month), "args": [job]}


def beat_entries() -> dict[str, dict[str, Any]]:
    return {
        f"schedule-{name.replace('_', '-')}": beat_entry(name, hour, minute)
        for name, (hour, minute) in DAILY_AT.items()
    }
