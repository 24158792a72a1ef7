"""Reading posted console forms."""

from __future__ import annotations

import re
from typing import Any

_ID = re.compile(r"[0-9]{1,9}")


def form_text(form: Any, name: str) -> str:
    """The field's text, stripped ("" when missing or a file)."""
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def as_id(text: str) -> int | None:
    """A database id typed into a form (1-9 ASCII digits, so it fits an integer column)."""
    return int(text) if _ID.fullmatch(text) else None
