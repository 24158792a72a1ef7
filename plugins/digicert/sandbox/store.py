"""The sandbox's state: plain JSON-able dicts in memory, saved to ``state.json`` if a folder
is given (written whole, atomically, after every change). Ids are sequential, so runs are
reproducible; one re-entrant lock guards it because tests poke it from another thread."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

Record = dict[str, Any]
_FIRST_IDS = {"voucher_order": 7001, "code": 10001, "order": 1000001, "certificate": 5000001}
_TABLES = (
    "voucher_orders",
    "codes",
    "orders",
    "certificates",
    "revocations",
    "approvals",
    "coupons",
)


class SandboxStore:
    def __init__(self, state_dir: Path | None) -> None:
        self.lock = threading.RLock()
        self._path = state_dir / "state.json" if state_dir else None
        self.data: dict[str, Any] = {"next_ids": dict(_FIRST_IDS), "emails": []}
        for table in _TABLES:
            self.data[table] = {}
        if self._path and self._path.exists():
            self.data.update(json.loads(self._path.read_text("utf-8")))
        for table in _TABLES:  # a state.json written before a table existed
            self.data.setdefault(table, {})

    def next_id(self, kind: str) -> int:
        with self.lock:
            value = int(self.data["next_ids"][kind])
            self.data["next_ids"][kind] = value + 1
            return value

    def table(self, name: str) -> dict[str, Record]:
        return self.data[name]

    def get(self, table: str, key: int | str) -> Record | None:
        return self.data[table].get(str(key))

    def put(self, table: str, key: int | str, record: Record) -> Record:
        self.data[table][str(key)] = record
        return record

    def save(self) -> None:
        if self._path is None:
            return
        with self.lock:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self._path.with_suffix(".tmp")
            tmp.write_text(json.dumps(self.data, ensure_ascii=False, indent=1), "utf-8")
            os.replace(tmp, self._path)
