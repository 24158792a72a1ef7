"""Bank-transfer reconciliation (入金消込): upload a Zengin file and see what it did, the
unmatched queue, and assigning a queued transfer to an order by hand.

The services are ``core.payments.transfers`` (``import_zengin``, ``resolve_unmatched``): a
file is imported once (the same file again changes nothing and says so), matched lines are
applied through the payment ledger, and the customer gets the 入金確認済 mail through the same
recipient lookup the JSON API uses (``web.api.payment_recipients.customer_recipient``).
A file of more than ``JOB_ABOVE_BYTES`` (about 200 records) is imported by a background job
instead (``web/console/transfer_jobs.py``): the browser goes to its progress page, and the
result panel is then shown at ``/console/transfers?job={id}``.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath
from litestar.response import Redirect

from core.errors import FieldError, NotFound, ValidationFailed
from core.orders.states import OrderState
from core.orders.tables import Order
from core.payments.tables import BankLine
from core.payments.transfers import import_zengin, resolve_unmatched
from tenants.roles import Permission
from tenants.scoping import scoped
from web.api.payment_recipients import customer_recipient
from web.console.access import SignedInStaff, not_found, staff
from web.console.enrich import customer_names
from web.console.forms import as_id, form_text
from web.console.job_links import job_redirect
from web.console.listing import (
    Column,
    Filter,
    ListSpec,
    fetch_page,
    formatter,
    list_response,
    parse_query,
)
from web.console.pages import page
from web.console.transfer_jobs import JOB_ABOVE_BYTES, ImportSummary, import_summary, queue_import
from web.controllers.auth import by_field

QUEUED = ("unmatched", "cancellation")
MAX_FILE_BYTES = 5 * 1024 * 1024

UNMATCHED = ListSpec(
    name="unmatched-transfers",
    table=BankLine,
    columns=(
        Column(
            "id",
            "web.console.transfers.line",
            sortable=True,
            link=lambda row: f"/console/transfers/lines/{row['id']}",
        ),
        Column("account_date", "web.console.transfers.account_date", kind="date", sortable=True),
        Column("payer_name", "web.console.transfers.payer_name", sortable=True),
        Column("amount", "web.console.transfers.amount", kind="yen", sortable=True),
        Column("account_number", "web.console.transfers.account_number"),
        Column(
            "status", "web.console.transfers.status", kind="label", label_prefix="web.console.line."
        ),
        Column("file_id", "web.console.transfers.file"),
    ),
    filters=(
        Filter.contains("q", (BankLine.payer_name,), "web.console.transfers.payer_name"),
        Filter.date_from("from", BankLine.account_date, "web.console.list.from"),
        Filter.date_to("to", BankLine.account_date, "web.console.list.to"),
    ),
    default_sort="-account_date",
    where=lambda ctx: BankLine.status.is_in(list(QUEUED)),
)


async def _transfers_page(
    request: Request[Any, Any, Any],
    me: SignedInStaff,
    *,
    result: ImportSummary | None = None,
    errors: dict[str, FieldError] | None = None,
    status: int = 200,
) -> Response[Any]:
    fmt = formatter(request, me.ctx)
    listing = await fetch_page(UNMATCHED, parse_query(UNMATCHED, request.query_params), me.ctx, fmt)
    return page(
        request,
        me,
        "pages/console/transfers.html",
        status=status,
        section="transfers",
        listing=listing,
        result=result,
        received=fmt.yen(result.received) if result else "",
        errors=errors or {},
    )


async def _line_page(
    request: Request[Any, Any, Any],
    me: SignedInStaff,
    line_id: int,
    *,
    order_id: str = "",
    errors: dict[str, FieldError] | None = None,
    status: int = 200,
) -> Response[Any]:
    line = await scoped(BankLine, me.ctx).select().where(BankLine.id == line_id).first().run()
    if line is None:
        return not_found(request)
    fmt = formatter(request, me.ctx)
    candidates = await (
        scoped(Order, me.ctx)
        .select(Order.id, Order.customer_id, Order.total, Order.created_at)
        .where(Order.state == OrderState.AWAITING_PAYMENT.value)
        .order_by(Order.id, ascending=False)
        .limit(50)
        .run()
    )
    await customer_names(candidates, me.ctx)
    return page(
        request,
        me,
        "pages/console/transfer_line.html",
        status=status,
        section="transfers",
        line=line,
        account_date=fmt.day(line["account_date"]),
        amount=fmt.yen(line["amount"]),
        resolved_at=fmt.moment(line["resolved_at"]),
        candidates=[
            {
                **row,
                "total": fmt.yen(row["total"]),
                "date": fmt.day(row["created_at"]),
                "same_amount": row["total"] == line["amount"],
            }
            for row in candidates
        ],
        order_id=order_id,
        errors=errors or {},
    )


class ConsoleTransfers(Controller):
    path = "/console/transfers"
    include_in_schema = False

    @get("/")
    async def transfers(self, request: Request[Any, Any, Any]) -> Response[Any]:
        me = await staff(request, Permission.PAYMENTS_MANAGE)
        if not isinstance(me, SignedInStaff):
            return me
        job_id = as_id(request.query_params.get("job", ""))
        if job_id is not None and request.query_params.get("export") != "csv":
            try:  # the result of an import run as a background job
                result = await import_summary(me.ctx, job_id)
            except NotFound:
                return not_found(request)
            return await _transfers_page(request, me, result=result)
        return await list_response(
            request,
            UNMATCHED,
            me.ctx,
            lambda listing: page(
                request,
                me,
                "pages/console/transfers.html",
                section="transfers",
                listing=listing,
                result=None,
                errors={},
            ),
        )

    @post("/import")
    async def import_file(self, request: Request[Any, Any, Any]) -> Response[Any]:
        me = await staff(request, Permission.PAYMENTS_MANAGE)
        if not isinstance(me, SignedInStaff):
            return me
        form = await request.form()
        upload = form.get("file")
        data = await upload.read() if isinstance(upload, UploadFile) else b""
        if not data:
            errors = {"file": FieldError("file", "payments.bank_file.missing")}
            return await _transfers_page(request, me, errors=errors, status=422)
        if len(data) > MAX_FILE_BYTES:
            errors = {"file": FieldError("file", "web.console.transfers.too_big", {"mb": 5})}
            return await _transfers_page(request, me, errors=errors, status=422)
        if len(data) > JOB_ABOVE_BYTES:  # a big file: imported by a worker, with progress
            return job_redirect(await queue_import(me.ctx, data))
        try:
            result = await import_zengin(me.ctx, data, recipients=customer_recipient)
        except ValidationFailed as exc:
            return await _transfers_page(request, me, errors=by_field(exc.errors), status=422)
        return await _transfers_page(request, me, result=ImportSummary.of(result))

    @get("/lines/{line_id:int}")
    async def line(self, request: Request[Any, Any, Any], line_id: FromPath[int]) -> Response[Any]:
        me = await staff(request, Permission.PAYMENTS_MANAGE)
        if not isinstance(me, SignedInStaff):
            return me
        return await _line_page(request, me, line_id)

    @post("/lines/{line_id:int}/resolve")
    async def resolve(
        self, request: Request[Any, Any, Any], line_id: FromPath[int]
    ) -> Response[Any]:
        me = await staff(request, Permission.PAYMENTS_MANAGE)
        if not isinstance(me, SignedInStaff):
            return me
        exists = await scoped(BankLine, me.ctx).exists().where(BankLine.id == line_id)
        if not exists:
            return not_found(request)
        order_id = form_text(await request.form(), "order_id")
        errors: dict[str, FieldError] = {}
        order = as_id(order_id)
        if order is None:
            errors["order_id"] = FieldError("order_id", "web.console.transfers.order_required")
        else:
            try:
                await resolve_unmatched(me.ctx, line_id, order, recipients=customer_recipient)
            except NotFound as exc:
                if exc.message_id == "payments.bank_line.not_found":
                    return not_found(request)
                errors["order_id"] = FieldError("order_id", "web.console.transfers.order_unknown")
            except ValidationFailed as exc:
                errors = by_field(exc.errors)
        if errors:
            return await _line_page(
                request, me, line_id, order_id=order_id, errors=errors, status=422
            )
        return Redirect(
            f"/console/transfers/lines/{line_id}?notice=transfer_resolved", status_code=303
        )
