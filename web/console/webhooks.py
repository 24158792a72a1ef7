"""Webhooks of the tenant (``/console/webhooks``, ``api_keys.manage``): endpoints (URL, events,
description; the signing secret shown once, on the page answering the creation, and kept only
sealed; the URL refused unless it resolves to public addresses, ``core.egress``), turning an
endpoint off and on, the delivery log with each attempt, and replay
(``workers.tasks.webhooks.replay_delivery``: due now, its task sent at once). Rules in
``core.messaging.webhooks``."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath

from core.errors import FieldError, NotFound, ValidationFailed
from core.messaging.events import WEBHOOK_EVENT_TYPES
from core.messaging.webhooks import (
    create_endpoint,
    get_endpoint,
    list_attempts,
    list_deliveries,
    list_endpoints,
    set_endpoint_active,
)
from tenants.roles import Permission
from web.console.access import SignedInStaff, not_found, staff
from web.console.listing import formatter
from web.console.pages import page
from web.controllers.auth import by_field, redirect, web_state
from workers.tasks.webhooks import replay_delivery

PATH = "/console/webhooks"
EMPTY = {"url": "", "event_types": [], "description": ""}


async def _page(
    request: Request[Any, Any, Any],
    me: SignedInStaff,
    *,
    created: tuple[Any, str] | None = None,
    errors: dict[str, FieldError] | None = None,
    form: dict[str, Any] | None = None,
) -> Response[Any]:
    fmt = formatter(request, me.ctx)
    endpoints = {e.id: e for e in await list_endpoints(me.ctx)}
    deliveries = [
        {"view": d, "url": endpoints[d.endpoint_id].url if d.endpoint_id in endpoints else "",
         "created": fmt.moment(d.created_at), "delivered": fmt.moment(d.delivered_at)}
        for d in await list_deliveries(me.ctx)
    ]  # fmt: skip
    return page(
        request, me, "pages/console/settings/webhooks.html",
        status=400 if errors else 200, section="webhooks",
        endpoints=list(endpoints.values()), deliveries=deliveries,
        event_types=("*", *WEBHOOK_EVENT_TYPES), created=created, errors=errors or {},
        form=form or EMPTY,
    )  # fmt: skip


class ConsoleWebhooks(Controller):
    path = PATH
    include_in_schema = False

    @get("/")
    async def index(self, request: Request[Any, Any, Any]) -> Response[Any]:
        me = await staff(request, Permission.API_KEYS_MANAGE)
        if not isinstance(me, SignedInStaff):
            return me
        return await _page(request, me)

    @post("/")
    async def create(self, request: Request[Any, Any, Any]) -> Response[Any]:
        me = await staff(request, Permission.API_KEYS_MANAGE)
        if not isinstance(me, SignedInStaff):
            return me
        data = await request.form()
        form = {
            "url": str(data.get("url", "")),
            "event_types": [e for e in data.getall("event_types", []) if isinstance(e, str)],
            "description": str(data.get("description", "")),
        }
        try:
            created = await create_endpoint(
                me.ctx,
                form["url"],
                form["event_types"],
                form["description"],
                guard=web_state(request).webhooks,
            )
        except ValidationFailed as exc:
            return await _page(request, me, errors=by_field(exc.errors), form=form)
        return await _page(request, me, created=created)

    @post("/{endpoint_id:int}/active")
    async def toggle(
        self, request: Request[Any, Any, Any], endpoint_id: FromPath[int]
    ) -> Response[Any]:
        me = await staff(request, Permission.API_KEYS_MANAGE)
        if not isinstance(me, SignedInStaff):
            return me
        try:
            endpoint = await get_endpoint(me.ctx, endpoint_id)
            await set_endpoint_active(me.ctx, endpoint_id, not endpoint.active)
        except NotFound:
            return not_found(request)
        return redirect(f"{PATH}?notice=saved")

    @get("/deliveries/{delivery_id:int}")
    async def delivery(
        self, request: Request[Any, Any, Any], delivery_id: FromPath[int]
    ) -> Response[Any]:
        me = await staff(request, Permission.API_KEYS_MANAGE)
        if not isinstance(me, SignedInStaff):
            return me
        found = [d for d in await list_deliveries(me.ctx, limit=10_000) if d.id == delivery_id]
        if not found:
            return not_found(request)
        fmt = formatter(request, me.ctx)
        attempts = [
            {"view": a, "started": fmt.moment(a.started_at)}
            for a in await list_attempts(me.ctx, delivery_id)
        ]
        return page(
            request, me, "pages/console/settings/webhook_delivery.html", section="webhooks",
            delivery=found[0], attempts=attempts,
        )  # fmt: skip

    @post("/deliveries/{delivery_id:int}/replay")
    async def replay(
        self, request: Request[Any, Any, Any], delivery_id: FromPath[int]
    ) -> Response[Any]:
        me = await staff(request, Permission.API_KEYS_MANAGE)
        if not isinstance(me, SignedInStaff):
            return me
        try:
            await replay_delivery(web_state(request).celery, me.ctx, delivery_id)
        except NotFound:
            return not_found(request)
        return redirect(f"{PATH}/deliveries/{delivery_id}?notice=replayed")
