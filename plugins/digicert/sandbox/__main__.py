"""``python -m plugins.digicert.sandbox --port N``: the sandbox upstream on loopback."""

from __future__ import annotations

import argparse
from pathlib import Path

import uvicorn

from core.clock import SystemClock
from plugins.digicert.sandbox.app import create_sandbox_app
from plugins.digicert.sandbox.config import SandboxConfig


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m plugins.digicert.sandbox")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--state-dir", type=Path, default=Path("var/digicert-sandbox"))
    parser.add_argument("--api-key", default="sandbox-devkey")
    parser.add_argument("--dcv-scheme", default="http", choices=("http", "https"))
    parser.add_argument("--dcv-port", type=int, default=None)
    parser.add_argument(
        "--resolve",
        action="append",
        default=[],
        metavar="DOMAIN=ADDRESS",
        help="connect to ADDRESS when validating DOMAIN (repeatable); a DOMAIN starting with "
        "a dot (.test) stands for every name under it",
    )
    args = parser.parse_args(argv)
    table = dict(item.split("=", 1) for item in args.resolve)
    config = SandboxConfig(
        api_key=args.api_key,
        dcv_scheme=args.dcv_scheme,
        dcv_port=args.dcv_port,
        resolve=lambda host: _resolve(table, host),
    )
    app = create_sandbox_app(args.state_dir, SystemClock(), config=config)
    print(f"CertCentral sandbox: http://{args.host}:{args.port}/services/v2", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")


def _resolve(table: dict[str, str], host: str) -> str:
    if host in table:
        return table[host]
    for suffix, address in table.items():
        if suffix.startswith(".") and host.endswith(suffix):
            return address
    return host


if __name__ == "__main__":
    main()
