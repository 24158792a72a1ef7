"""Bounded retries with exponential backoff and jitter; the sleep is injected for tests."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    """``attempts`` in all (first try included); delays double from ``base_delay`` up to
    ``max_delay``, each shortened by up to ``jitter`` of itself at random. A 429's
    ``Retry-After`` is honoured up to ``max_delay``."""

    attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0
    jitter: float = 0.5

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("a retry policy needs at least one attempt")

    def delay(self, failed_attempt: int, rng: random.Random, retry_after: float | None) -> float:
        """Seconds to wait after attempt number ``failed_attempt`` (1-based) failed."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** (failed_attempt - 1))
        wait = ceiling * (1 - self.jitter * rng.random())
        if retry_after is not None:
            wait = max(wait, min(retry_after, self.max_delay))
        return wait
