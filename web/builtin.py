"""The web app's own hook implementations (kept free of Litestar imports: workers load it)."""

from __future__ import annotations

from core.hookspecs import hookimpl


@hookimpl
def register_piccolo_apps() -> list[str]:
    return ["web.piccolo_app"]
