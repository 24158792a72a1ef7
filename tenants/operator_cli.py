"""``shomei operator-add --email E --name N``: the first operator of a new install.

An install starts with an empty database and no one who can review sign-ups; the person who
installs shomei creates the first operator account from the command line (later operators can
be added the same way). The password is asked for twice on a terminal, or read as one line
from standard input (``--password-stdin``, for scripts). The person typing it chose it, so it
need not be changed at the first sign-in. Refusals name the field, as on the pages.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys

from core.bootstrap import piccolo_app_modules, plugin_manager
from core.clock import SystemClock
from core.db import setup_database
from core.errors import ValidationFailed
from core.i18n import Translator, load_catalogs
from core.settings import get_settings
from tenants.operators import add_operator


def run_operator_add(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="shomei operator-add")
    parser.add_argument("--email", required=True, help="the operator's e-mail (their sign-in)")
    parser.add_argument("--name", required=True, help="the name shown on the operator pages")
    parser.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    args = parser.parse_args(argv)
    password = _password(args.password_stdin)
    settings = get_settings()
    setup_database(settings, piccolo_app_modules(plugin_manager(settings)))
    try:
        operator_id = asyncio.run(
            add_operator(args.email, args.name, password, SystemClock(), set_by_other=False)
        )
    except ValidationFailed as exc:
        _ = Translator(load_catalogs("tenants"), "en")
        for problem in exc.errors:
            print(
                f"shomei: {problem.field}: {_(problem.message_id, **problem.params)}",
                file=sys.stderr,
            )
        raise SystemExit(1) from None
    print(f"operator {args.email} added (id {operator_id})")
    print(f"sign in at {settings.public_url}/operator/login")


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("password: ")
    if getpass.getpass("password again: ") != first:
        raise SystemExit("shomei: password: the two entries differ")
    return first
