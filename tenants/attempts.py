"""Password attempts reserved atomically before the slow check (``tenants.lockout``'s policy).

Rule (issue 13, defect 1): however many wrong passwords arrive at the same moment, at most
``lockout.MAX_FAILURES`` of them are ever checked before the lock. So an attempt is counted
*before* the password is verified: ``reserve`` locks the login row (``SELECT … FOR UPDATE`` on
PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` serialises writers), refuses when it is locked, and
otherwise records this attempt as a failure — the fifth one also writes the lock — and commits
at once. Only then is the (slow) password checked, outside any transaction. A check that
succeeds ``clear``s the failures and the lock; an attempt that turns out not to be a failure
(a right password whose second factor is still to come) is ``release``d: exactly its own
reservation is taken back.

Any table with the columns ``recent_failures`` (JSON list of ISO times) and ``locked_until``
uses this one mechanism: console, portal and operator logins (``tenants.logins``) and wallet
passwords (``plugins.wallet.ledger``). The caller's ``where`` names the one row, tenant included.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from piccolo.engine.postgres import PostgresEngine
from piccolo.table import Table

from core.db import write_transaction
from tenants import lockout
from tenants.jsonvalues import as_list


@dataclass(frozen=True)
class Attempt:
    """One reserved password check.

    ``refused_until``: the row was already locked; do not check the password at all.
    ``locks_until``: this attempt wrote the lock (it was the last one allowed); if the password
    is wrong, the answer is "locked until then". ``at`` and ``before`` let ``release`` take
    exactly this reservation back."""

    refused_until: datetime | None = None
    locks_until: datetime | None = None
    at: str = ""
    before: list[str] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return self.refused_until is not None


async def _locked_row(table: type[Table], where: Any) -> dict[str, Any] | None:
    query = table.select(table.recent_failures, table.locked_until).where(where)
    if isinstance(table._meta.db, PostgresEngine):
        query = query.lock_rows()
    return await query.first().run()


async def reserve(table: type[Table], where: Any, now: datetime) -> Attempt | None:
    """Count one attempt on the row ``where`` names before its password is checked; None when
    there is no such row. One short write transaction: the row lock is held only while
    counting, never during the password check."""
    async with write_transaction():
        row = await _locked_row(table, where)
        if row is None:
            return None
        if lockout.is_locked(row["locked_until"], now):
            return Attempt(refused_until=row["locked_until"])
        before = [
            at.isoformat()
            for at in (datetime.fromisoformat(t) for t in as_list(row["recent_failures"]))
            if now - at < lockout.WINDOW
        ]
        recent, locks_until = lockout.register_failure(before, now)
        values: dict[Any, Any] = {table.recent_failures: recent}
        if locks_until is not None:
            values[table.locked_until] = locks_until
        await table.update(values).where(where).run()
    return Attempt(locks_until=locks_until, at=now.isoformat(), before=before)


async def clear(table: type[Table], where: Any, extra: dict[Any, Any] | None = None) -> None:
    """The password was right (and any second factor): no failures, no lock, plus ``extra``."""
    values: dict[Any, Any] = {table.recent_failures: [], table.locked_until: None}
    await table.update({**values, **(extra or {})}).where(where).run()


async def release(table: type[Table], where: Any, attempt: Attempt) -> None:
    """Take back exactly ``attempt``'s reservation (it was not a failure after all): its
    failure time, or — when it wrote the lock — the lock, restoring the failures before it.
    Attempts reserved meanwhile by others stay counted."""
    if attempt.refused:
        return
    async with write_transaction():
        row = await _locked_row(table, where)
        if row is None:
            return
        values: dict[Any, Any]
        if attempt.locks_until is not None:
            if row["locked_until"] != attempt.locks_until:
                return  # cleared or replaced meanwhile: nothing of ours is left
            values = {table.recent_failures: attempt.before, table.locked_until: None}
        else:
            recent = as_list(row["recent_failures"])
            if attempt.at not in recent:
                return
            recent.remove(attempt.at)
            values = {table.recent_failures: recent}
        await table.update(values).where(where).run()
