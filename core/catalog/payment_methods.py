"""Which payment methods each product accepts (tenant configuration).

A tenant enables a payment method by having an enabled payment account of that adapter
(``tenants/provider_accounts.py``, kind ``payment``). A product accepts every enabled method
unless the tenant narrowed it (a row of ``catalog_product_payment_method``); a narrowed list
only ever counts while the method stays enabled.

Core cannot read ``tenants/``, so the tenant's methods come in through ``EnabledPaymentMethods``
(``tenants.payment_methods.TenantPaymentMethods``, built by web requests and by the worker).

- ``accepted_methods(ctx, product_ids, enabled)``: the one answer to "which methods may pay for
  these products" (checkout pages and order creation both call it).
- ``product_methods`` / ``set_product_methods``: read and narrow (or, with ``None``, widen back
  to the default) one product's list.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from core.catalog.products import get_product
from core.catalog.tables import ProductPaymentMethods
from core.context import Context
from core.db import write_transaction
from core.errors import FieldError, ValidationFailed


class EnabledPaymentMethods(Protocol):
    """The tenant's payment methods: ``known`` every registered adapter code, ``enabled``
    those the tenant has an enabled payment account of (in a stable order)."""

    @property
    def known(self) -> tuple[str, ...]: ...

    async def enabled(self, ctx: Context) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class ProductPaymentMethodsView:
    """``methods`` are what the product accepts now; ``narrowed`` is False when it follows
    the tenant's enabled methods (the default)."""

    product_id: int
    methods: tuple[str, ...]
    narrowed: bool
    enabled: tuple[str, ...]


async def _stored(ctx: Context, product_ids: Iterable[int]) -> dict[int, tuple[str, ...]]:
    ids = sorted(set(product_ids))
    if not ids:
        return {}
    rows = await (
        ProductPaymentMethods.select(
            ProductPaymentMethods.product_id, ProductPaymentMethods.methods
        )
        .where(
            (ProductPaymentMethods.tenant_id == ctx.tenant.id)
            & ProductPaymentMethods.product_id.is_in(ids)
        )
        .output(load_json=True)
        .run()
    )
    return {row["product_id"]: tuple(row["methods"]) for row in rows}


async def accepted_methods(
    ctx: Context, product_ids: Sequence[int], enabled: EnabledPaymentMethods
) -> tuple[str, ...]:
    """The payment methods every one of ``product_ids`` accepts, in the tenant's order: the
    tenant's enabled methods, narrowed by each product's own list where it has one."""
    accepted = list(await enabled.enabled(ctx))
    for methods in (await _stored(ctx, product_ids)).values():
        accepted = [method for method in accepted if method in methods]
    return tuple(accepted)


async def product_methods(
    ctx: Context, product_id: int, enabled: EnabledPaymentMethods
) -> ProductPaymentMethodsView:
    """One product's accepted methods (``NotFound`` for another tenant's product)."""
    await get_product(ctx, product_id)
    tenant_methods = await enabled.enabled(ctx)
    stored = (await _stored(ctx, [product_id])).get(product_id)
    methods = tenant_methods if stored is None else tuple(m for m in tenant_methods if m in stored)
    return ProductPaymentMethodsView(product_id, methods, stored is not None, tenant_methods)


def _check(
    methods: Sequence[object], known: tuple[str, ...], enabled: tuple[str, ...]
) -> list[FieldError]:
    if not methods:
        return [FieldError("payment_methods", "catalog.payment_methods.none")]
    errors = []
    for n, method in enumerate(methods):
        field = f"payment_methods[{n}]"
        if not isinstance(method, str) or method not in known:
            errors.append(
                FieldError(field, "catalog.payment_methods.unknown", {"method": str(method)})
            )
        elif method not in enabled:
            errors.append(
                FieldError(field, "catalog.payment_methods.not_enabled", {"method": method})
            )
    return errors


async def set_product_methods(
    ctx: Context,
    product_id: int,
    methods: Sequence[str] | None,
    enabled: EnabledPaymentMethods,
) -> ProductPaymentMethodsView:
    """Narrow the product to ``methods`` (each known and enabled for the tenant, at least
    one); ``None`` returns it to the default (every enabled method)."""
    await get_product(ctx, product_id)
    where = (ProductPaymentMethods.tenant_id == ctx.tenant.id) & (
        ProductPaymentMethods.product_id == product_id
    )
    if methods is None:
        await ProductPaymentMethods.delete().where(where).run()
        return await product_methods(ctx, product_id, enabled)
    errors = _check(methods, enabled.known, await enabled.enabled(ctx))
    if errors:
        raise ValidationFailed(errors)
    chosen = sorted(set(methods))
    async with write_transaction():
        inserted = await (
            ProductPaymentMethods.insert(
                ProductPaymentMethods(
                    tenant_id=ctx.tenant.id,
                    product_id=product_id,
                    methods=chosen,
                    updated_at=ctx.clock.now(),
                )
            )
            .on_conflict(
                target=(ProductPaymentMethods.tenant_id, ProductPaymentMethods.product_id),
                action="DO NOTHING",
            )
            .returning(ProductPaymentMethods.id)
            .run()
        )
        if not inserted:
            await (
                ProductPaymentMethods.update(
                    {
                        ProductPaymentMethods.methods: chosen,
                        ProductPaymentMethods.updated_at: ctx.clock.now(),
                    }
                )
                .where(where)
                .run()
            )
    return await product_methods(ctx, product_id, enabled)


async def refuse_unaccepted(
    ctx: Context,
    payment_method: str,
    product_ids: Sequence[int],
    enabled: EnabledPaymentMethods | None,
) -> None:
    """``ValidationFailed`` on ``payment_method`` unless every product accepts it. Without
    ``enabled`` (a caller that cannot see the tenant's accounts) only the products' own
    narrowed lists restrict."""
    if enabled is None:
        stored = await _stored(ctx, product_ids)
        refused = any(payment_method not in methods for methods in stored.values())
    else:
        refused = payment_method not in await accepted_methods(ctx, product_ids, enabled)
    if refused:
        raise ValidationFailed(
            [
                FieldError(
                    "payment_method",
                    "orders.order.payment_method_not_accepted",
                    {"method": payment_method},
                )
            ]
        )
