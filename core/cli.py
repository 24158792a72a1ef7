"""The ``shomei`` command: the composition root.

``serve``, ``worker`` and ``beat`` are resolved by dotted path so that core never imports the
web or worker layers; ``up`` starts all three as child processes of one embedded deployment.
Configuration problems end the command with one line naming the setting, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import sys
from collections.abc import Callable

from core.errors import ConfigError

RUNNERS = {
    "serve": "web.server:run_server",
    "worker": "workers.main:run_worker",
    "beat": "workers.main:run_beat",
    "operator-add": "tenants.operator_cli:run_operator_add",
}


def _runner(command: str) -> Callable[[list[str]], None]:
    module, _, function = RUNNERS[command].partition(":")
    return getattr(importlib.import_module(module), function)


def _migrate(_: list[str]) -> None:
    from core.bootstrap import migrate_database

    asyncio.run(migrate_database())


def _check(_: list[str]) -> None:
    from core.bootstrap import check_configuration

    problems = asyncio.run(check_configuration())
    for problem in problems:
        print(f"problem: {problem}")
    if problems:
        raise SystemExit(1)
    print("configuration ok")


def _up(argv: list[str]) -> None:
    from core.embedded import run_embedded

    run_embedded(argv)


def _ops_token(_: list[str]) -> None:
    from core.ops import ops_token
    from core.settings import get_settings

    print(ops_token(get_settings().secret_key))


COMMANDS: dict[str, tuple[str, Callable[[list[str]], None] | None]] = {
    "up": ("migrate, seed a demo tenant, run web + worker + beat (embedded mode)", _up),
    "serve": ("run the web server", None),
    "worker": ("run a Celery worker (extra arguments go to Celery)", None),
    "beat": ("run the Celery beat scheduler", None),
    "migrate": ("apply every pending database migration", _migrate),
    "check": ("check the configuration, the database and the broker", _check),
    "ops-token": ("print the bearer token of the operations API", _ops_token),
    "operator-add": ("add an operator (the first one of a new install)", None),
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="shomei", description="shomei certificate sales")
    sub = parser.add_subparsers(dest="command", required=True, metavar="command")
    for name, (summary, _) in COMMANDS.items():
        sub.add_parser(name, help=summary, add_help=name not in RUNNERS)
    args, rest = parser.parse_known_args(argv)
    handler = COMMANDS[args.command][1] or _runner(args.command)
    try:
        handler(rest)
    except ConfigError as exc:
        print(f"shomei: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    except KeyboardInterrupt:
        raise SystemExit(130) from None


if __name__ == "__main__":
    main()
