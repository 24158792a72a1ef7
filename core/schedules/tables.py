"""Tables of the schedules app.

``ScheduleRun`` (no tenant) is one run of a beat job that took its lock: the record that two beat
processes never ran a job twice. ``ScheduleMark`` is "this step of this job was done for this
subject" (a renewal reminder for (entitlement, 90 days), an overdue reminder for (invoice, 7
days), a quote's expiry notice): its unique index (tenant_id, job, subject_id, step), written by
hand in the second migration, makes every scheduled effect happen once. ``ReminderSetting``
keeps a tenant's reminder days. ``DeadLetter`` is a task that exhausted its retries or an outbox
event past the relay's threshold, for the operator to see and retry.
"""

from __future__ import annotations

from piccolo.columns import JSON, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class ScheduleRun(Table, tablename="schedules_run"):
    job = Varchar(length=64, index=True)
    slot = Varchar(length=64)
    runner = Varchar(length=255, default="")
    started_at = Timestamptz()
    finished_at = Timestamptz(null=True, default=None)
    tenants = Integer(default=0)


class ScheduleMark(Table, tablename="schedules_mark"):
    tenant_id = Integer()
    job = Varchar(length=64)
    subject_id = Integer()
    step = Varchar(length=32)
    done_at = Timestamptz()
    detail = JSON(default={})


class ReminderSetting(Table, tablename="schedules_reminder_setting"):
    tenant_id = Integer(unique=True)
    days_before = JSON(default=[])
    updated_at = Timestamptz()


class DeadLetter(Table, tablename="schedules_dead_letter"):
    tenant_id = Integer(null=True, default=None, index=True)
    kind = Varchar(length=16)  # "task" or "outbox"
    ref = Varchar(length=200)  # the task id, or the outbox event id
    name = Varchar(length=200)  # the task name, or the event type
    args = JSON(default=[])
    error = Text(default="")
    attempts = Integer(default=0)
    created_at = Timestamptz()
    retried_at = Timestamptz(null=True, default=None)
    retries = Integer(default=0)
