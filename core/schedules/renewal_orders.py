"""The renewal order of an automatically renewed term, placed through the order engine.

Before the first charge attempt of a term the renewal job places one order
(``core.orders.placing.create_order``) under ``core.renewal.renewal_order_key(entitlement,
term_end)``: one line, quantity 1, of the **same product** (same provider account and code),
with the old line's term, FQDN and wildcard counts when the entitlement came from an order
(else the product's shortest term). The line is priced by the engine at the tenant's retail
price of that day (``core.catalog.retail.resolve_price``) and snapshotted on the order; every
later attempt finds the same order under the same key, at the same price.

The engine's price is the only price: ``data["renewal_amount"]`` is no longer read. When the
engine cannot price or accept the line (the product was removed, no retail price, the provider
refuses it), ``place`` returns ``Unpriced`` with the reasons and nothing is charged; the job
then switches the term to manual renewal (decision, docs/schedules.md).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from core.catalog.tables import Product
from core.context import Context
from core.errors import NotFound, ValidationFailed
from core.orders.deps import OrderDeps
from core.orders.lines import LineInput
from core.orders.placing import OrderRequest, create_order
from core.orders.tables import OrderLine
from core.orders.views import OrderView
from core.payments.renewal_settings import payment_setting
from core.payments.tables import AppliedOutcome
from core.renewal import renewal_order_key

OrderDepsFactory = Callable[[Context], Awaitable[OrderDeps]]
"""The order engine's dependencies for one tenant (the worker builds them from its plugins)."""


@dataclass(frozen=True)
class Unpriced:
    """The engine refused the renewal line: message ids of its reasons."""

    reasons: tuple[str, ...]


async def _line(ctx: Context, row: dict[str, Any]) -> LineInput | None:
    if row.get("order_line_id") is not None:
        line = await (
            OrderLine.select(
                OrderLine.product_id, OrderLine.term_months, OrderLine.fqdns, OrderLine.wildcards
            )
            .where((OrderLine.id == row["order_line_id"]) & (OrderLine.tenant_id == ctx.tenant.id))
            .first()
            .run()
        )
        if line is not None and line["product_id"] is not None:
            return LineInput(
                line["product_id"], 1, line["term_months"], line["fqdns"], line["wildcards"]
            )
    product = await (
        Product.select(Product.id, Product.terms_months)
        .where(
            (Product.tenant_id == ctx.tenant.id)
            & (Product.code == row["product_code"])
            & (Product.provider_account_id == row["provider_account_id"])
        )
        .first()
        .output(load_json=True)
        .run()
    )
    if product is None or row["provider_account_id"] is None:
        return None
    terms = sorted(int(t) for t in product["terms_months"] or [12])
    return LineInput(product["id"], 1, terms[0])


async def place_renewal_order(
    ctx: Context, row: dict[str, Any], term_end: date, deps: OrderDepsFactory
) -> OrderView | Unpriced:
    """The renewal order of the term of ``row`` (an entitlement row) ending ``term_end``,
    placed once (the same key returns the same order)."""
    line = await _line(ctx, row)
    if line is None:
        return Unpriced(("schedules.renewal.product_unknown",))
    request = OrderRequest(row["payment_method"], (line,), customer_id=row["customer_id"])
    keyed = ctx.with_key(renewal_order_key(row["id"], term_end))
    try:
        return await create_order(keyed, request, await deps(ctx))
    except ValidationFailed as refused:
        return Unpriced(tuple(e.message_id for e in refused.errors))
    except NotFound:
        return Unpriced(("schedules.renewal.product_unknown",))


async def saved_method_ref(ctx: Context, row: dict[str, Any], data: dict[str, Any]) -> str | None:
    """The saved method to charge: the term's own (``data["saved_method_ref"]``), else the
    customer's chosen one (``core.payments.renewal_settings``: a card's ``cus_…/pm_…``)."""
    own = data.get("saved_method_ref")
    if own:
        return str(own)
    if row["customer_id"] is None:
        return None
    setting = await payment_setting(ctx, row["customer_id"])
    if setting.payment_method != row["payment_method"]:
        return None
    return setting.saved_method_ref or None


async def paid_reference(ctx: Context, order_id: int) -> str:
    """The reference of the outcome that paid ``order_id`` (a crash after applying it)."""
    row = await (
        AppliedOutcome.select(AppliedOutcome.reference)
        .where(
            (AppliedOutcome.tenant_id == ctx.tenant.id)
            & (AppliedOutcome.payable_type == "order")
            & (AppliedOutcome.payable_id == order_id)
            & (AppliedOutcome.received > 0)
        )
        .order_by(AppliedOutcome.id)
        .first()
        .run()
    )
    return str(row["reference"]) if row else ""
