"""A beat time as plain data, so core and plugins name *when* without importing Celery;
``workers.celery_app.beat_schedule`` turns it into a ``crontab`` (Celery's time zone is JST)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DailyAt:
    """Every day at ``hour:minute`` JST, or only on ``day_of_month`` (crontab syntax: ``"1-3"``)."""

    hour: int
    minute: int
    day_of_month: str = "*"
