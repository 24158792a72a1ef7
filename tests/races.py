"""Helpers of the concurrency tests: count the real password checks, collect each answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from core.errors import ValidationFailed


def counting(monkeypatch: pytest.MonkeyPatch, module: Any) -> list[str]:
    """Count the real password checks ``module`` makes (each still runs for real)."""
    checked: list[str] = []
    real: Callable[[str, str], bool] = module.verify_password

    def verify(password_hash: str, password: str) -> bool:
        checked.append(password_hash)
        return real(password_hash, password)

    monkeypatch.setattr(module, "verify_password", verify)
    return checked


async def answer(coroutine: Any) -> str:
    try:
        await coroutine
    except ValidationFailed as exc:
        return exc.errors[0].message_id
    return "signed in"
