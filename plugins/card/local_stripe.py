"""``python -m plugins.card.local_stripe --port N``: localstripe on loopback, in memory.

``localstripe --port N`` listens on every interface and pickles its store to a fixed path
(``/tmp/localstripe.pickle``) after each write, shared by every instance on the machine;
``shomei up`` (and the tests) run this instead: loopback only, nothing written to disk.
localstripe is optional (the ``demo`` and ``test`` extras): ``available()`` says whether it is
installed.
"""

from __future__ import annotations

import argparse
import importlib.util


def available() -> bool:
    return importlib.util.find_spec("localstripe") is not None


def main(argv: list[str] | None = None) -> None:
    from aiohttp import web
    from localstripe import server

    parser = argparse.ArgumentParser(prog="python -m plugins.card.local_stripe")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    server.store.dump_to_disk = lambda: None  # type: ignore[method-assign]
    web.run_app(server.app, host="127.0.0.1", port=args.port, access_log=None, print=None)


if __name__ == "__main__":
    main()
