"""Fixed-window rate limiting whose counters live where every web process sees them.

Redis in production (one counter per key and window, ``INCR`` + ``EXPIRE``), process memory in
the embedded mode (one web process). Login attempts and API calls per key both use it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Protocol

import redis.asyncio as redis


class CounterStore(Protocol):
    async def hit(self, key: str, window_seconds: int) -> int:
        """Count one hit in the current window and return the window's count."""
        ...


class MemoryStore:
    def __init__(self, now: Callable[[], float]) -> None:
        self._counts: dict[tuple[str, int], int] = {}
        self._now = now
        self._lock = asyncio.Lock()

    async def hit(self, key: str, window_seconds: int) -> int:
        window = int(self._now() // window_seconds)
        async with self._lock:
            self._counts = {k: v for k, v in self._counts.items() if k[1] >= window}
            self._counts[(key, window)] = self._counts.get((key, window), 0) + 1
            return self._counts[(key, window)]


class RedisStore:
    """``namespace`` keeps two deployments sharing one Redis apart (ids restart per database);
    ``now`` is the app's clock in Unix seconds, as in ``MemoryStore``."""

    def __init__(self, url: str, namespace: str, now: Callable[[], float]) -> None:
        self._url = url
        self._clients: dict[int, redis.Redis] = {}
        self._namespace = namespace
        self._now = now

    def _client(self) -> redis.Redis:
        """One client per event loop: a Redis connection belongs to the loop that opened it."""
        loop = id(asyncio.get_running_loop())
        if loop not in self._clients:
            self._clients[loop] = redis.from_url(self._url)
        return self._clients[loop]

    async def hit(self, key: str, window_seconds: int) -> int:
        window = int(self._now() // window_seconds)
        name = f"shomei:{self._namespace}:rate:{key}:{window}"
        async with self._client().pipeline(transaction=True) as pipe:
            count, _ = await pipe.incr(name).expire(name, window_seconds * 2).execute()
        return int(count)


class RateLimiter:
    def __init__(self, store: CounterStore, limit: int, window_seconds: int = 60) -> None:
        self.store, self.limit, self.window = store, limit, window_seconds

    async def allow(self, key: str) -> bool:
        return await self.store.hit(key, self.window) <= self.limit
