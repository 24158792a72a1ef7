"""Slowing down password guessing before the tenants' lockout stops it.

Per IP address and e-mail, ``PER_EMAIL`` attempts a minute (a person mistyping gets through;
a script gets a 429 page), and per IP address and sign-in page ``PER_ADDRESS`` attempts in ten
minutes (one address trying many e-mails). On top of this, ``tenants.lockout`` locks a login
after five failures in fifteen minutes, whatever the address. Counters live in Redis when the
deployment has one (every web process sees them), else in memory; their windows follow the
app's clock, so tests move time instead of sleeping.
"""

from __future__ import annotations

import hashlib

from web.ratelimit import CounterStore, RateLimiter

PER_EMAIL, EMAIL_WINDOW = 3, 60
PER_ADDRESS, ADDRESS_WINDOW = 50, 600


class LoginThrottle:
    def __init__(self, store: CounterStore) -> None:
        self.per_email = RateLimiter(store, PER_EMAIL, EMAIL_WINDOW)
        self.per_address = RateLimiter(store, PER_ADDRESS, ADDRESS_WINDOW)

    async def allow(self, place: str, ip_address: str, email: str) -> bool:
        """Count one attempt at ``place`` (area and tenant); False when over either limit."""
        who = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
        by_email = await self.per_email.allow(f"login:{place}:{ip_address}:{who}")
        by_address = await self.per_address.allow(f"login-ip:{place}:{ip_address}")
        return by_email and by_address
