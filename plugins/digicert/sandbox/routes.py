"""The sandbox's HTTP surface: the API under ``/services/v2`` (``X-DC-DEVKEY`` required) and
the sandbox controls under ``/sandbox`` (faults, the e-mail outbox, approval links, the CA)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from plugins.digicert.sandbox import certificates, coupons, dcv, orders, vouchers
from plugins.digicert.sandbox.errors import not_found
from plugins.digicert.sandbox.faults import FaultKind
from plugins.digicert.sandbox.upstream import Sandbox

SB = NamedDependency[Sandbox]
Body = JSONBody[dict[str, Any]]
Search = Annotated[str | None, QueryParameter(name="filters[search]")]
Status = Annotated[str | None, QueryParameter(name="filters[status]")]


def _page(items: list[dict[str, Any]], limit: int, offset: int) -> dict[str, Any]:
    return {"total": len(items), "limit": limit, "offset": offset}


def _order_id(ref: str) -> int:
    if not ref.isdigit():
        raise not_found(f"order {ref}")
    return int(ref)


@post("/voucher", status_code=201)
async def create_voucher_order(sb: SB, data: Body) -> dict[str, Any]:
    return vouchers.create_voucher_order(sb, data)


@get("/voucher")
async def list_voucher_orders(
    sb: SB, search: Search = None, status: Status = None,
    limit: FromQuery[int] = 100, offset: FromQuery[int] = 0,
) -> dict[str, Any]:  # fmt: skip
    found = vouchers.list_voucher_orders(sb, search, status)
    return {"voucher_orders": found[offset : offset + limit], "page": _page(found, limit, offset)}


@get("/voucher/{voucher_order_id:int}")
async def get_voucher_order(sb: SB, voucher_order_id: FromPath[int]) -> dict[str, Any]:
    return vouchers.voucher_order_view(sb, vouchers.get_voucher_order(sb, voucher_order_id))


@get("/voucher/{voucher_order_id:int}/codes")
async def voucher_codes(sb: SB, voucher_order_id: FromPath[int]) -> dict[str, Any]:
    vouchers.get_voucher_order(sb, voucher_order_id)
    return {"codes": vouchers.order_codes(sb, voucher_order_id)}


@get("/voucher/{voucher_order_id:int}/codes/csv")
async def voucher_codes_csv(sb: SB, voucher_order_id: FromPath[int]) -> Response[bytes]:
    content = vouchers.codes_csv(sb, voucher_order_id)
    filename = f"voucher-{voucher_order_id}.csv"
    return Response(
        content,
        media_type="text/csv",  # Litestar adds the charset
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@put("/voucher/{voucher_order_id:int}/cancel", status_code=204)
async def cancel_voucher_order(sb: SB, voucher_order_id: FromPath[int]) -> None:
    vouchers.cancel_voucher_order(sb, voucher_order_id)


@post("/voucher/{voucher_order_id:int}/codes/{code_id:int}/reissue", status_code=201)
async def reissue_voucher_code(
    sb: SB, voucher_order_id: FromPath[int], code_id: FromPath[int]
) -> dict[str, Any]:
    return vouchers.reissue_code(sb, voucher_order_id, code_id)


@post("/order/certificate/{ref:str}", status_code=201)
async def order_certificate(sb: SB, ref: FromPath[str], data: Body) -> dict[str, Any]:
    return orders.create_order(sb, ref, data)


@get("/order/certificate")
async def list_orders(
    sb: SB, search: Search = None, limit: FromQuery[int] = 100, offset: FromQuery[int] = 0
) -> dict[str, Any]:
    found = orders.list_orders(sb, search)
    return {"orders": found[offset : offset + limit], "page": _page(found, limit, offset)}


@get("/order/certificate/{ref:str}")
async def get_order(sb: SB, ref: FromPath[str]) -> dict[str, Any]:
    return orders.order_view(sb, orders.get_order(sb, _order_id(ref)))


@post("/order/certificate/{ref:str}/reissue", status_code=201)
async def reissue(sb: SB, ref: FromPath[str], data: Body) -> dict[str, Any]:
    return orders.reissue(sb, _order_id(ref), data)


@put("/order/certificate/{ref:str}/status", status_code=204)
async def update_status(sb: SB, ref: FromPath[str], data: Body) -> None:
    orders.update_status(sb, _order_id(ref), data)


@get("/order/certificate/{ref:str}/dcv")
async def dcv_status(sb: SB, ref: FromPath[str]) -> dict[str, Any]:
    return orders.dcv_view(sb, orders.get_order(sb, _order_id(ref)))


@put("/order/certificate/{ref:str}/check-dcv", status_code=200)
async def check_dcv(sb: SB, ref: FromPath[str]) -> dict[str, Any]:
    return await orders.check_dcv(sb, _order_id(ref))


@put("/certificate/{certificate_id:int}/revoke", status_code=201)
async def revoke(sb: SB, certificate_id: FromPath[int], data: Body) -> dict[str, Any]:
    return certificates.revoke(sb, certificate_id, data)


@get("/certificate/{certificate_id:int}/download/format/{fmt:str}")
async def download(sb: SB, certificate_id: FromPath[int], fmt: FromPath[str]) -> Response[bytes]:
    content, media_type = certificates.download(sb, certificate_id, fmt)
    return Response(content, media_type=media_type)


@get("/coupon/{number:str}")
async def coupon_status(sb: SB, number: FromPath[str]) -> dict[str, Any]:
    return coupons.get_coupon(sb, number)


@post("/coupon/convert", status_code=201)
async def convert_coupons(sb: SB, data: Body) -> dict[str, Any]:
    return coupons.convert(sb, data)


API_HANDLERS = [
    create_voucher_order, list_voucher_orders, get_voucher_order, voucher_codes,
    voucher_codes_csv, cancel_voucher_order, reissue_voucher_code, order_certificate,
    list_orders, get_order,
    reissue, update_status, dcv_status, check_dcv, revoke, download, coupon_status,
    convert_coupons,
]  # fmt: skip


@post("/faults", status_code=201)
async def inject_fault(sb: SB, data: Body) -> dict[str, Any]:
    kind: FaultKind = data["kind"]
    sb.faults.inject(
        kind,
        int(data.get("count", 1)),
        delay=float(data.get("delay", 0.0)),
        method=data.get("method"),
        path_contains=data.get("path_contains"),
    )
    return {"injected": kind}


@delete("/faults", status_code=204)
async def clear_faults(sb: SB) -> None:
    sb.faults.clear()


@get("/emails")
async def emails(sb: SB, request: Request) -> dict[str, Any]:
    """The approval e-mails sent so far, each with the absolute link the approver follows."""
    root = str(request.url).split("/sandbox/emails")[0]
    return {"emails": [{**e, "approve_url": root + str(e["approve_path"])} for e in sb.emails]}


@get(dcv.APPROVE_PATH.removeprefix("/sandbox") + "{token:str}", media_type="text/html")
async def approve(sb: SB, token: FromPath[str]) -> str:
    order = orders.approve_email(sb, token)
    return f"<p>承認しました / Approved. Order {order['id']} is {order['status']}.</p>"


@post("/coupons", status_code=201)
async def add_coupon(sb: SB, data: Body) -> dict[str, Any]:
    return coupons.add_coupon(
        sb, str(data["number"]), str(data["product_name_id"]), str(data["expires_on"]),
        validity_years=int(data.get("validity_years", 1)),
        no_of_fqdns=int(data.get("no_of_fqdns", 1)),
        no_of_wildcards=int(data.get("no_of_wildcards", 0)),
    )  # fmt: skip


@get("/ca")
async def ca(sb: SB) -> dict[str, str]:
    return {"root": sb.ca.root_pem, "intermediate": sb.ca.intermediate_pem}


CONTROL_HANDLERS = [inject_fault, clear_faults, emails, approve, add_coupon, ca]
