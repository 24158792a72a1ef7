"""API routes for certificates under ``/api/v1/digicert``: coupon converter, direct purchase,
redemption of a code with a CSR, DCV check, downloads (PEM chain, PKCS#7), reissue, cancel.

Mounted in ``api.digicert_router`` with the same key middleware and error handlers; another
tenant's object is a 404 before the upstream is touched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from litestar import Controller, Response, get, post, put
from litestar.params import QueryParameter

from plugins.digicert import api_examples as ex
from plugins.digicert import redemption
from plugins.digicert.api import READ, WRITE, Api, Ctx, IdempotencyKey
from plugins.digicert.coupons import CouponStatus, check_coupon, convert_coupons
from plugins.digicert.direct import (
    DirectOrderIn,
    DirectOrderView,
    buy_certificate,
    get_direct_order,
)
from plugins.digicert.downloads import p7b_response, pem_response
from plugins.digicert.redemption import RedemptionView
from plugins.digicert.views import VoucherOrderView
from web.api.examples import body, ok
from web.api.fields import NO_NUL, Count, Id, PathId, items, text

Csr = text(20_000, min_length=1)
CouponNumber = Annotated[
    str, QueryParameter(name="number", min_length=1, max_length=64, pattern=NO_NUL)
]


Coupons = items(text(16, min_length=1), 100, min_items=1)


@dataclass
class ConvertBody:
    coupons: items(text(16, min_length=1), 100, min_items=1) = field(
        metadata={"examples": [["1234567890123456"]]}
    )


@dataclass
class RedeemBody:
    code: text(64, min_length=1)
    csr: Csr
    organization_name: text(255, min_length=1)
    dcv_method: text(32) = "http-token"
    customer_id: Id | None = None


@dataclass
class CsrBody:
    csr: Csr


@dataclass
class DirectOrderBody:
    product: text(64, min_length=1)
    years: Count
    csr: Csr
    organization_name: text(255, min_length=1)
    payment_method: text(16, min_length=1) = "bank_transfer"
    dcv_method: text(32) = "http-token"
    customer_id: Id | None = None


class CouponController(Controller):
    path = "/coupons"
    tags = ["digicert"]  # noqa: RUF012 - Litestar reads class attributes

    @get(
        "/status",
        summary="Coupon status (クーポンの状況)",
        guards=[READ],
        responses=ok(CouponStatus, ex.COUPON),
    )
    async def status(self, ctx: Ctx, api: Api, number: CouponNumber) -> CouponStatus:
        async with await api.open() as client:
            return await check_coupon(ctx, client, number)

    @post(
        "/convert",
        summary="Convert coupons into one voucher, once",
        guards=[WRITE],
        responses=ok(VoucherOrderView, ex.CONVERTED, status=201),
    )
    async def convert(
        self, ctx: Ctx, api: Api, data: Annotated[ConvertBody, body(ex.CONVERT_IN)]
    ) -> VoucherOrderView:
        async with await api.open() as client:
            return await convert_coupons(ctx, client, data.coupons)


class DirectOrderController(Controller):
    path = "/certificate-orders"
    tags = ["digicert"]  # noqa: RUF012 - Litestar reads class attributes

    @post(
        "/",
        summary="Buy a certificate without a voucher",
        status_code=201,
        guards=[WRITE],
        responses=ok(DirectOrderView, ex.DIRECT_ORDER, status=201),
    )
    async def create(
        self,
        ctx: Ctx,
        api: Api,
        data: Annotated[DirectOrderBody, body(ex.DIRECT_IN)],
        idempotency_key: IdempotencyKey,
    ) -> DirectOrderView:
        async with await api.open() as client:
            return await buy_certificate(ctx, client, DirectOrderIn(**data.__dict__))

    @get(
        "/{direct_order_id:int}",
        summary="One directly bought certificate",
        guards=[READ],
        responses=ok(DirectOrderView, ex.DIRECT_ORDER),
    )
    async def get_one(self, ctx: Ctx, direct_order_id: PathId) -> DirectOrderView:
        return await get_direct_order(ctx, direct_order_id)


class RedemptionController(Controller):
    path = "/certificates"
    tags = ["digicert"]  # noqa: RUF012 - Litestar reads class attributes

    @post(
        "/",
        summary="Redeem a voucher code with a CSR",
        status_code=201,
        guards=[WRITE],
        responses=ok(RedemptionView, ex.PENDING, status=201),
    )
    async def redeem(
        self, ctx: Ctx, api: Api, data: Annotated[RedeemBody, body(ex.REDEEM_IN)]
    ) -> RedemptionView:
        async with await api.open() as client:
            return await redemption.redeem(
                ctx, client, data.code, data.customer_id, data.csr, data.organization_name,
                data.dcv_method,
            )  # fmt: skip

    @get(
        "/{redemption_id:int}",
        summary="A certificate request and its status",
        guards=[READ],
        responses=ok(RedemptionView, ex.CERTIFICATE),
    )
    async def get_one(self, ctx: Ctx, redemption_id: PathId) -> RedemptionView:
        return await redemption.get_redemption(ctx, redemption_id)

    @put(
        "/{redemption_id:int}/check",
        summary="Check DCV now and refresh",
        guards=[WRITE],
        responses=ok(RedemptionView, ex.CERTIFICATE),
    )
    async def check(self, ctx: Ctx, api: Api, redemption_id: PathId) -> RedemptionView:
        await redemption.get_redemption(ctx, redemption_id)
        async with await api.open() as client:
            return await redemption.poll(ctx, client, redemption_id)

    @get(
        "/{redemption_id:int}/pem",
        summary="The certificate with its chain (PEM)",
        guards=[READ],
        responses=ok(str, ex.PEM_CHAIN, media_type="application/x-pem-file"),
    )
    async def pem(self, ctx: Ctx, redemption_id: PathId) -> Response[str]:
        view = await redemption.get_redemption(ctx, redemption_id)
        return pem_response(view)

    @get(
        "/{redemption_id:int}/p7b",
        summary="The chain as PKCS#7",
        guards=[READ],
        responses=ok(str, ex.P7B, media_type="application/x-pkcs7-certificates"),
    )
    async def p7b(self, ctx: Ctx, api: Api, redemption_id: PathId) -> Response[bytes]:
        view = await redemption.get_redemption(ctx, redemption_id)
        async with await api.open() as client:
            return await p7b_response(client, view)

    @post(
        "/{redemption_id:int}/reissue",
        summary="Reissue with a new CSR",
        guards=[WRITE],
        responses=ok(RedemptionView, ex.CERTIFICATE, status=201),
    )
    async def reissue(
        self,
        ctx: Ctx,
        api: Api,
        redemption_id: PathId,
        data: Annotated[CsrBody, body({"csr": ex.CSR})],
    ) -> RedemptionView:
        await redemption.get_redemption(ctx, redemption_id)
        async with await api.open() as client:
            return await redemption.reissue_certificate(ctx, client, redemption_id, data.csr)

    @put(
        "/{redemption_id:int}/cancel",
        summary="Cancel within 30 days of issuance",
        guards=[WRITE],
        responses=ok(RedemptionView, {**ex.CERTIFICATE, "status": "cancelled"}),
    )
    async def cancel(self, ctx: Ctx, api: Api, redemption_id: PathId) -> RedemptionView:
        await redemption.get_redemption(ctx, redemption_id)
        async with await api.open() as client:
            return await redemption.cancel_certificate(ctx, client, redemption_id)


HANDLERS = [CouponController, DirectOrderController, RedemptionController]
