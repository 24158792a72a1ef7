"""Run localstripe on loopback only, without its on-disk store (``/tmp/localstripe.pickle``).

``localstripe --port N`` listens on every interface and pickles its store to a fixed path
after each write; the tests want neither, so they start this module instead:
``python -m tests.plugins.card.localstripe_server --port N``.
"""

from __future__ import annotations

import argparse

from aiohttp import web
from localstripe import server


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    server.store.dump_to_disk = lambda: None  # type: ignore[method-assign]
    web.run_app(server.app, host="127.0.0.1", port=args.port, access_log=None, print=None)


if __name__ == "__main__":
    main()
