"""Business numbers a person can read out: per tenant (and per scope such as a year),
sequential, gapless, never duplicated — the one mechanism behind invoice and order numbers.

A number comes from a counter row, incremented by one upsert inside the numbered row's own
transaction. On PostgreSQL the updated row stays locked until that transaction ends, so a
concurrent creation waits, and a rolled-back creation gives its number back. On SQLite the
caller's ``BEGIN IMMEDIATE`` transaction holds the single write lock, with the same effect.
A counter table has the key columns of its ``Counter`` (unique together) and ``next_seq``.
"""

from __future__ import annotations

from dataclasses import dataclass

from piccolo.table import Table


@dataclass(frozen=True)
class Counter:
    """A counter table and its key columns (``tenant_id`` first), unique together."""

    table: type[Table]
    keys: tuple[str, ...] = ("tenant_id",)

    def _take_sql(self) -> str:
        name = self.table._meta.tablename
        columns = ", ".join(self.keys)
        values = ", ".join("{}" for _ in self.keys)
        return (
            f"INSERT INTO {name} ({columns}, next_seq) VALUES ({values}, 2) "
            f"ON CONFLICT ({columns}) DO UPDATE SET next_seq = {name}.next_seq + 1 "
            "RETURNING next_seq"
        )

    def _give_back_sql(self) -> str:
        name = self.table._meta.tablename
        where = " AND ".join(f"{key} = {{}}" for key in self.keys)
        return f"UPDATE {name} SET next_seq = next_seq - 1 WHERE {where}"

    async def take(self, *key: int) -> int:
        """The next number under ``key`` (the values of ``keys``), locking its counter until
        the surrounding transaction ends."""
        rows = await self.table.raw(self._take_sql(), *key).run()
        return int(rows[0]["next_seq"]) - 1

    async def give_back(self, *key: int) -> None:
        """Undo ``take`` in the same transaction (the lock is still held, so no one saw it)."""
        await self.table.raw(self._give_back_sql(), *key).run()
