"""``python -m tests.plugins.card.localstripe_server --port N``: the card plugin's own loopback,
in-memory localstripe runner (``plugins.card.local_stripe``), under the name the tests use."""

from __future__ import annotations

from plugins.card.local_stripe import main

if __name__ == "__main__":
    main()
