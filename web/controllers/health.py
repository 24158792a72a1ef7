"""Liveness and readiness for load balancers and Kubernetes probes."""

from __future__ import annotations

from dataclasses import dataclass, field

import anyio
from litestar import Controller, Response, get
from litestar.datastructures import State
from litestar.openapi import ResponseSpec

from core import db
from core.broker import broker_options, check_broker
from core.errors import ConfigError
from web.state import WebState


@dataclass
class Health:
    status: str


@dataclass
class Readiness:
    status: str
    checks: dict[str, str] = field(default_factory=dict)


class HealthController(Controller):
    tags = ["system"]

    @get("/health", summary="Liveness: the process answers", exclude_from_auth=True)
    async def health(self) -> Health:
        return Health(status="ok")

    @get(
        "/ready",
        summary="Readiness: the database and the broker answer",
        description="200 when both answer; 503 with the failing check's reason otherwise.",
        responses={503: ResponseSpec(data_container=Readiness, description="A check failed")},
    )
    async def ready(self, state: State) -> Response[Readiness]:
        web: WebState = state.web
        checks: dict[str, str] = {}
        try:
            await db.check_database(db.bound_engine())
            checks["database"] = "ok"
        except ConfigError as exc:
            checks["database"] = exc.problem
        try:
            options = broker_options(web.settings)
            await anyio.to_thread.run_sync(check_broker, web.settings.broker_url, options)
            checks["broker"] = "ok"
        except ConfigError as exc:
            checks["broker"] = exc.problem
        ok = all(value == "ok" for value in checks.values())
        return Response(
            Readiness(status="ok" if ok else "unavailable", checks=checks),
            status_code=200 if ok else 503,
        )
