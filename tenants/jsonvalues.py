"""Piccolo hands JSON columns back as text from ``objects()``: read them as Python values."""

from __future__ import annotations

import json
from typing import Any


def as_list(value: Any) -> list[Any]:
    if isinstance(value, str):
        return list(json.loads(value or "[]"))
    return list(value or [])


def as_dict(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        return dict(json.loads(value or "{}"))
    return dict(value or {})
