"""Request digests for idempotency keys, and the write transaction order creation runs in."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from core.db import bound_engine


def request_digest(request: Any) -> str:
    """A stable digest of a request (dataclasses, dicts, lists and scalars)."""
    text = json.dumps(request, sort_keys=True, default=_plain, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _plain(value: Any) -> Any:
    if hasattr(value, "__dataclass_fields__"):
        return {name: getattr(value, name) for name in value.__dataclass_fields__}
    if isinstance(value, tuple | set | frozenset):
        return list(value)
    raise TypeError(f"cannot digest {type(value).__name__}")


def write_transaction() -> Any:
    """A transaction that takes the write lock at once on SQLite (BEGIN IMMEDIATE).

    A deferred SQLite transaction that reads, then writes, can fail with 'database is locked'
    when a concurrent one does the same; PostgreSQL's default transaction is fine as it is.
    """
    engine = bound_engine()
    if isinstance(engine, SQLiteEngine):
        return engine.transaction(transaction_type=TransactionType.immediate)
    return engine.transaction()
