"""Bounded exponential backoff for retrying an upstream: 30 s, 1, 2, 4 … minutes, at most 30."""

from __future__ import annotations

FIRST_DELAY = 30
MAX_DELAY = 30 * 60


def retry_delay(attempts: int, first: int = FIRST_DELAY, cap: int = MAX_DELAY) -> int:
    """Seconds to wait after the ``attempts``-th failure (1 → ``first``, doubling, ≤ ``cap``)."""
    exponent = min(max(attempts, 1) - 1, 32)
    return min(cap, first * 2**exponent)
