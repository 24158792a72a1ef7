"""``shomei serve``: uvicorn running ``create_app`` with the process's settings."""

from __future__ import annotations

import argparse
import asyncio

import uvicorn
from litestar import Litestar

from core.bootstrap import plugin_manager, preflight
from core.clock import SystemClock
from core.settings import Settings, get_settings
from web.app import create_app


def production_app(settings: Settings | None = None) -> Litestar:
    """The composition root of a web process: its settings and the system clock."""
    return create_app(settings or get_settings(), clock=SystemClock())


def run_server(argv: list[str]) -> None:
    settings = get_settings()
    parser = argparse.ArgumentParser(prog="shomei serve")
    parser.add_argument("--host", default=settings.host)
    parser.add_argument("--port", type=int, default=settings.port)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    asyncio.run(preflight(settings, plugin_manager(settings)))
    if args.workers > 1:
        uvicorn.run(
            "web.server:production_app",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_config=None,
            access_log=False,
        )
    else:
        uvicorn.run(
            production_app(settings),
            host=args.host,
            port=args.port,
            log_config=None,
            access_log=False,
        )
