"""A test-only ``Provider`` (code ``test_upstream``) whose ``fulfil`` and ``poll`` call the
loopback upstream of ``tests/core/entitlements/upstream.py`` over real HTTP.

It is a plugin module: tests register it in-process (``build_plugin_manager(extra=[module])``)
and worker processes load it through an entry point written into a temporary site folder, the
way ``tests/workers/test_beat_process.py`` loads its probe.

Account config: ``url`` (the upstream), ``timeout`` (seconds), ``pending`` (orders wait for the
upstream's validation); credentials: ``api_key``. Actions: ``reissue`` (a new code, the old one
REISSUED) while ACTIVE; ``cancel`` while ACTIVE and within 30 days of creation.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx

from core.context import Context
from core.contracts.common import PluginAccount, ProductSpec
from core.contracts.providers import (
    ActionRequest,
    ActionResult,
    AllowedAction,
    EntitlementState,
    EntitlementView,
    FulfilmentResult,
    LineRequest,
)
from core.errors import FieldError
from core.hookspecs import hookimpl

CODE = "test_upstream"
POLL_AFTER = 60
CANCEL_DAYS = 30


class UpstreamProvider:
    code = CODE
    config_fields = ()

    def __init__(self, account: PluginAccount) -> None:
        self.account = account

    def _http(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            base_url=self.account.config["url"],
            headers={"Authorization": f"Bearer {self.account.credentials['api_key']}"},
            timeout=float(self.account.config.get("timeout", 5)),
        )

    async def products(self, ctx: Context, config: dict[str, Any]) -> list[ProductSpec]:
        return []

    async def validate_line(self, ctx: Context, line: LineRequest) -> list[FieldError]:
        return []

    async def fulfil(self, ctx: Context, line: LineRequest) -> list[FulfilmentResult]:
        async with self._http() as http:
            answer = await http.post(
                "/orders",
                json={
                    "product": line.product_code,
                    "quantity": line.quantity,
                    "pending": bool(self.account.config.get("pending")),
                },
                headers={"Idempotency-Key": f"{ctx.tenant.id}:{ctx.idempotency_key}"},
            )
            answer.raise_for_status()
            order = answer.json()
        return [_result(order, code) for code in order["codes"]]

    async def poll(self, ctx: Context, entitlement: EntitlementView) -> FulfilmentResult:
        async with self._http() as http:
            answer = await http.get(f"/orders/{entitlement.upstream_ref}")
            answer.raise_for_status()
        return _result(answer.json(), entitlement.data["code"])

    async def allowed_actions(
        self, ctx: Context, entitlement: EntitlementView
    ) -> list[AllowedAction]:
        if entitlement.state is not EntitlementState.ACTIVE:
            return []
        allowed = [AllowedAction("reissue", "test_upstream.reissue.active")]
        until = entitlement.created_at + timedelta(days=CANCEL_DAYS)
        if ctx.clock.now() < until:
            allowed.append(AllowedAction("cancel", "test_upstream.cancel.within_30_days", until))
        return allowed

    async def perform(
        self, ctx: Context, entitlement: EntitlementView, request: ActionRequest
    ) -> ActionResult:
        if request.action == "cancel":
            return ActionResult(EntitlementState.CANCELLED, {"cancelled_with": ctx.idempotency_key})
        new_code = f"{entitlement.data['code']}R"
        return ActionResult(
            EntitlementState.REISSUED,
            {"reissued_as": new_code},
            new_entitlement=FulfilmentResult(
                EntitlementState.ACTIVE,
                upstream_ref=entitlement.upstream_ref,
                data={"code": new_code},
                expires_at=entitlement.expires_at,
            ),
            message_id="test_upstream.reissued",
        )

    async def renewal_opens(self, ctx: Context, entitlement: EntitlementView) -> datetime | None:
        return None


def _result(order: dict[str, Any], code: str) -> FulfilmentResult:
    done = order["status"] == "completed"
    return FulfilmentResult(
        state=EntitlementState.ACTIVE if done else EntitlementState.PENDING,
        upstream_ref=str(order["id"]),
        data={"code": code, "status": order["status"]},
        poll_after=None if done else POLL_AFTER,
        expires_at=datetime.fromisoformat(order["redeem_by"]) if done else None,
    )


@hookimpl
def register_providers() -> list[type]:
    return [UpstreamProvider]
