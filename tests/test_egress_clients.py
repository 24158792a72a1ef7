"""Every HTTP client the product builds is accounted for: a URL a tenant can set is reached only
through ``core.egress`` (``Egress.client()``, or its check and pinned request), so a new plugin
or route that opens its own client for such a URL fails here until it is reviewed."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parents[1]
PACKAGES = ("core", "tenants", "web", "workers", "plugins")
CLIENT = re.compile(
    r"httpx\.(?:(?:Async)?Client|get|post|put|patch|delete|request|stream)\("
    r"|HTTPXClient\(|urllib\.request|aiohttp\.|requests\.(?:get|post|Session)\("
)

REVIEWED = {
    "core/egress.py": "the guarded client itself",
    "core/messaging/webhooks.py": "webhook posts: checked and pinned by core.egress first",
    "plugins/card/client.py": "Stripe at its own address; api_base is not a tenant setting",
    "plugins/digicert/client.py": "guarded by Egress when the URL is a tenant's (client_for)",
    "plugins/digicert/sandbox/dcv.py": "the sandbox CA's DCV fetch (demo and tests only)",
    "core/embedded.py": "the embedded runner polls its own health URL",
}


def test_every_http_client_is_reviewed():
    found = set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if CLIENT.search(path.read_text("utf-8")):
                found.add(path.relative_to(ROOT).as_posix())
    unreviewed = found - set(REVIEWED)
    assert not unreviewed, f"HTTP clients outside core.egress, to review: {sorted(unreviewed)}"
    assert set(REVIEWED) <= found, "a reviewed entry no longer applies: remove it"
