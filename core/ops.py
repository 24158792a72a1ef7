"""The operations token: a bearer credential derived from the secret key for ops endpoints.

Until operator sign-in exists, operational API routes (worker pings) take this token, which
``shomei ops-token`` prints. It changes when the secret key changes.
"""

from __future__ import annotations

import hashlib
import hmac


def ops_token(secret_key: str) -> str:
    return hmac.new(secret_key.encode(), b"shomei-ops-token-v1", hashlib.sha256).hexdigest()


def is_ops_token(secret_key: str, presented: str) -> bool:
    return hmac.compare_digest(ops_token(secret_key), presented)
