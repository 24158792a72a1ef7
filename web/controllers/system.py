"""Operational API: a round trip through the broker to a worker and back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from litestar import Controller, get, post
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.exceptions import NotAuthorizedException, NotFoundException
from litestar.handlers import BaseRouteHandler
from litestar.params import Parameter

from core.errors import FieldError, ValidationFailed
from core.ops import is_ops_token
from core.system import get_worker_ping, request_worker_ping
from web.api.examples import PING, PING_IN, body, ok
from web.state import WebState
from workers.celery_app import QUEUES
from workers.signals import send_task
from workers.tasks.system import ANSWER_PING


def ops_guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    header = connection.headers.get("authorization", "")
    token = header.removeprefix("Bearer ").strip()
    if not token or not is_ops_token(connection.app.state.web.settings.secret_key, token):
        raise NotAuthorizedException("an operations token is required (shomei ops-token prints it)")


@dataclass
class PingRequest:
    queue: str = "default"


@dataclass
class Ping:
    token: str
    queue: str
    requested_at: datetime
    answered_at: datetime | None
    answered_by: str


class WorkerPingController(Controller):
    path = "/system/worker-pings"
    tags = ["system"]
    guards = [ops_guard]

    @post(
        "/",
        summary="Send a ping task to a worker queue",
        description="Records a ping and sends a task; poll the token until answered_at is set.",
        status_code=202,
        responses=ok(Ping, {**PING, "answered_at": None, "answered_by": ""}, status=202),
    )
    async def create(self, state: State, data: Annotated[PingRequest, body(PING_IN)]) -> Ping:
        if data.queue not in QUEUES:
            raise ValidationFailed(
                [FieldError("queue", "api.invalid.choice", {"choices": ", ".join(QUEUES)})]
            )
        web: WebState = state.web
        token = await request_worker_ping(data.queue, web.clock)
        send_task(web.celery, ANSWER_PING, args=(token,), queue=data.queue)
        return await self.read(token)

    @get(
        "/{token:str}",
        summary="One ping and whether a worker answered it",
        responses=ok(Ping, PING),
    )
    async def get_ping(self, token: Annotated[str, Parameter(max_length=64)]) -> Ping:
        return await self.read(token)

    @staticmethod
    async def read(token: str) -> Ping:
        view = await get_worker_ping(token)
        if view is None:
            raise NotFoundException(f"no ping {token}")
        return Ping(**view.__dict__)
