"""Plugin-owned API routes under ``/api/v1/digicert``: voucher orders, codes, CSV exports.

Mounted through the ``register_routes`` hook as its own router with the same API-key
middleware, context and error handlers as ``/api/v1`` (``web.api``), so a key only ever sees
its own tenant's voucher orders; another tenant's order is a plain 404.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post, put
from litestar.di import NamedDependency, Provide
from litestar.params import FromQuery, HeaderParameter
from litestar.router import Router

from core.context import Context
from core.errors import FieldError
from plugins.digicert import api_examples as ex
from plugins.digicert import exports
from plugins.digicert.client import CertCentralClient
from plugins.digicert.errors import CertCentralError
from plugins.digicert.upstream import tenant_client
from plugins.digicert.views import (
    VoucherOrderView,
    get_code,
    get_voucher_order,
    list_voucher_orders,
    order_row,
)
from plugins.digicert.vouchers import (
    VoucherLineIn,
    VoucherOrderIn,
    cancel_voucher_order,
    place_voucher_order,
    reissue_code,
)
from tenants.credentials import Keyring
from web.api.examples import body, ok
from web.api.fields import MAX_LINES, Count, PathId, items, text
from web.api.guards import requires_scope

PREFIX = "/api/v1/digicert"
READ = requires_scope("orders:read")
WRITE = requires_scope("orders:write")


@dataclass
class VoucherLineBody:
    product: text(64, min_length=1) = field(metadata={"examples": ["ssl_basic"]})
    quantity: Count = 1
    years: Count = 1
    fqdns: Count = 1
    wildcards: Count = 0


@dataclass
class VoucherOrderBody:
    payment_method: text(16, min_length=1) = field(
        metadata={"examples": ["bank_transfer", "balance", "card"]}
    )
    lines: items(VoucherLineBody, MAX_LINES, min_items=1)
    customer_name: text(255) = ""
    notes: text(4000) = ""


IdempotencyKey = Annotated[
    str, HeaderParameter(name="Idempotency-Key", min_length=8, max_length=200)
]
Ctx = NamedDependency[Context]


class Upstream:
    """Opens the tenant's upstream client only when a handler needs it, so a route first
    answers 404 for an id that is not the caller's, whatever its provider account."""

    def __init__(self, request: Request[Any, Any, Any], ctx: Context) -> None:
        self.request, self.ctx = request, ctx

    async def open(self) -> CertCentralClient:
        web = self.request.app.state.web
        settings = web.settings
        return await tenant_client(
            self.ctx, Keyring.from_settings(settings), settings.secret_key, settings.public_url,
            web.egress,
        )  # fmt: skip


def provide_upstream(request: Request[Any, Any, Any], ctx: NamedDependency[Context]) -> Upstream:
    return Upstream(request, ctx)


Api = NamedDependency[Upstream]


def _csv(content: bytes, filename: str) -> Response[bytes]:
    return Response(
        content,
        media_type="text/csv",  # Litestar adds the charset
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


class VoucherOrderController(Controller):
    path = "/voucher-orders"
    tags = ["digicert"]  # noqa: RUF012 - Litestar reads class attributes

    @post(
        "/",
        summary="Generate vouchers (バウチャー生成)",
        status_code=201,
        guards=[WRITE],
        responses=ok(VoucherOrderView, ex.VOUCHER_ORDER, status=201),
    )
    async def create(
        self,
        ctx: Ctx,
        api: Api,
        data: Annotated[VoucherOrderBody, body(ex.VOUCHER_ORDER_IN)],
        idempotency_key: IdempotencyKey,
    ) -> VoucherOrderView:
        request = VoucherOrderIn(
            payment_method=data.payment_method,
            lines=tuple(VoucherLineIn(**line.__dict__) for line in data.lines),
            customer_name=data.customer_name,
            notes=data.notes,
        )
        async with await api.open() as client:
            return await place_voucher_order(ctx, client, request)

    @get(
        "/",
        summary="This tenant's voucher orders",
        guards=[READ],
        responses=ok(list[VoucherOrderView], [ex.VOUCHER_ORDER]),
    )
    async def list_all(
        self,
        ctx: Ctx,
        status: FromQuery[str | None] = None,
        created_from: FromQuery[date | None] = None,
        created_to: FromQuery[date | None] = None,
    ) -> list[VoucherOrderView]:
        return await list_voucher_orders(ctx, status, created_from, created_to)

    @get(
        "/csv",
        summary="Voucher orders as CSV (UTF-8 with BOM)",
        guards=[READ],
        responses=ok(str, ex.ORDERS_CSV, media_type="text/csv"),
    )
    async def list_csv(
        self,
        ctx: Ctx,
        status: FromQuery[str | None] = None,
        created_from: FromQuery[date | None] = None,
        created_to: FromQuery[date | None] = None,
    ) -> Response[bytes]:
        content = await exports.voucher_orders_csv(ctx, status, created_from, created_to)
        return _csv(content, "voucher-orders.csv")

    @get(
        "/used-codes/csv",
        summary="All used voucher codes as CSV",
        guards=[READ],
        responses=ok(str, ex.CODES_CSV, media_type="text/csv"),
    )
    async def used_csv(self, ctx: Ctx) -> Response[bytes]:
        return _csv(await exports.used_codes_csv(ctx), "used-voucher-codes.csv")

    @get(
        "/{voucher_order_id:int}",
        summary="One voucher order with its codes",
        guards=[READ],
        responses=ok(VoucherOrderView, ex.VOUCHER_ORDER),
    )
    async def get_one(self, ctx: Ctx, voucher_order_id: PathId) -> VoucherOrderView:
        return await get_voucher_order(ctx, voucher_order_id)

    @get(
        "/{voucher_order_id:int}/codes/csv",
        summary="The codes of one voucher order as CSV",
        guards=[READ],
        responses=ok(str, ex.CODES_CSV, media_type="text/csv"),
    )
    async def codes_csv(self, ctx: Ctx, voucher_order_id: PathId) -> Response[bytes]:
        return _csv(
            await exports.order_codes_csv(ctx, voucher_order_id), f"voucher-{voucher_order_id}.csv"
        )

    @put(
        "/{voucher_order_id:int}/cancel",
        summary="Cancel the whole voucher order",
        guards=[WRITE],
        responses=ok(VoucherOrderView, ex.CANCELLED_ORDER),
    )
    async def cancel(self, ctx: Ctx, api: Api, voucher_order_id: PathId) -> VoucherOrderView:
        await order_row(ctx, voucher_order_id)  # another tenant's order: 404 before anything else
        async with await api.open() as client:
            return await cancel_voucher_order(ctx, client, voucher_order_id)

    @post(
        "/codes/{code_id:int}/reissue",
        summary="Reissue one code (バウチャーを再発行)",
        guards=[WRITE],
        responses=ok(VoucherOrderView, ex.VOUCHER_ORDER, status=201),
    )
    async def reissue(self, ctx: Ctx, api: Api, code_id: PathId) -> VoucherOrderView:
        await get_code(ctx, code_id)  # another tenant's code: 404 before anything else
        async with await api.open() as client:
            return await reissue_code(ctx, client, code_id)


def upstream_failed(request: Request[Any, Any, Any], exc: CertCentralError) -> Response[Any]:
    """The upstream refused or failed: 502 with its first message, never a traceback."""
    from web.api.errors import error_response

    detail = exc.errors[0].message if exc.errors else str(exc)
    error = FieldError("upstream", "digicert.upstream.refused", {"detail": detail})
    return error_response(request, 502, [error])


def digicert_router() -> Router:
    from plugins.digicert.api_certificates import HANDLERS
    from web.api.routes import tenant_api_router

    return tenant_api_router(
        PREFIX,
        [VoucherOrderController, *HANDLERS],
        dependencies={"api": Provide(provide_upstream, sync_to_thread=False)},
        exception_handlers={CertCentralError: upstream_failed},
    )
