"""Request digests for idempotency keys."""

from __future__ import annotations

import hashlib
import json
from typing import Any


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
