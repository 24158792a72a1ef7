"""Direct debit (口座振替) for monthly plans: mandates and monthly collections."""

from __future__ import annotations

from typing import Any

from core.hookspecs import hookimpl
from core.i18n import load_catalogs
from core.schedules.jobs import beat_entry
from plugins.direct_debit.adapter import DirectDebitAdapter
from plugins.direct_debit.monthly import BEAT, JOB, MonthlyPlanInvoices


@hookimpl
def register_payment_adapters() -> list[type]:
    return [DirectDebitAdapter]


@hookimpl
def register_piccolo_apps() -> list[str]:
    return ["plugins.direct_debit.piccolo_app"]


@hookimpl
def register_translations() -> dict[str, dict[str, str]]:
    return load_catalogs("plugins.direct_debit")


@hookimpl
def register_schedule_jobs() -> list[Any]:
    return [MonthlyPlanInvoices()]


@hookimpl
def register_periodic_tasks() -> dict[str, dict[str, Any]]:
    return {"schedule-direct-debit-monthly-invoice": beat_entry(JOB, **BEAT)}
