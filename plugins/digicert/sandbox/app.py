"""Build the sandbox: a Router to mount inside shomei, or a standalone Litestar app."""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar, Request, Response, Router
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import HTTPException

from core.clock import Clock
from plugins.digicert.sandbox.config import SandboxConfig
from plugins.digicert.sandbox.errors import (
    SandboxApiError,
    error_body,
    handle_api_error,
    handle_http_exception,
)
from plugins.digicert.sandbox.faults import faults_middleware
from plugins.digicert.sandbox.routes import API_HANDLERS, CONTROL_HANDLERS
from plugins.digicert.sandbox.upstream import Sandbox

API_PATH = "/services/v2"
EXCEPTION_HANDLERS = {SandboxApiError: handle_api_error, HTTPException: handle_http_exception}


def create_sandbox_router(sandbox: Sandbox, path: str = "/") -> Router:
    """The API under ``{path}/services/v2`` and the controls under ``{path}/sandbox``."""

    def provide() -> Sandbox:
        return sandbox

    def check_key(request: Request) -> Response | None:
        if request.headers.get("X-DC-DEVKEY") == sandbox.config.api_key:
            return None
        body = error_body("invalid_api_key", "The X-DC-DEVKEY header is missing or wrong")
        return Response(body, status_code=401)

    api = Router(path=API_PATH, route_handlers=API_HANDLERS, before_request=check_key)
    controls = Router(path="/sandbox", route_handlers=CONTROL_HANDLERS)
    return Router(
        path=path,
        route_handlers=[api, controls],
        dependencies={"sb": Provide(provide, sync_to_thread=False)},
        middleware=[faults_middleware(sandbox.faults)],
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
    )


def create_sandbox_app(
    state_dir_or_db: Path | str | None,
    clock: Clock,
    *,
    config: SandboxConfig | None = None,
) -> Litestar:
    """A standalone sandbox; ``state_dir_or_db`` is the folder of ``state.json`` and
    ``ca.json`` (None keeps everything in memory). ``app.state.sandbox`` is the Sandbox."""
    state_dir = Path(state_dir_or_db) if state_dir_or_db is not None else None
    sandbox = Sandbox.open(state_dir, clock, config or SandboxConfig())
    return Litestar(
        route_handlers=[create_sandbox_router(sandbox)],
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        state=State({"sandbox": sandbox}),
        openapi_config=None,
    )
