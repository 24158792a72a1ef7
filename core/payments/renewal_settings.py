"""A customer's payment method and automatic-renewal setting (支払い方法・自動更新).

The rules are ``core.renewal``'s (which method sets automatic renewal, the wallet's renewal
days, what a reset clears); this module only stores the result per customer, in
``payments_customer_setting`` (one row per customer, unique (tenant_id, customer_id)).

- ``choose_payment_method(ctx, customer_id, method, renewal_day, saved_method_ref, enabled)``:
  card and wallet set automatic renewal, bank transfer does not; the wallet needs a renewal
  day (5, 10, 15, 20, 25); a card keeps its saved ``cus_…/pm_…``.
- ``reset_payment_method(ctx, customer_id)`` (支払い方法をリセットする): no method, no automatic
  renewal, no saved card; the customer chooses again. It announces ``payment.method_reset``
  (``previous_method``), on which the wallet plugin unlinks the wallet (the next wallet
  payment asks for the password again).
- ``renewal_defaults(customer_id, ctx=None) -> (auto_renew, method, renewal_day)``: what a new
  entitlement copies (``core/entitlements``); ``(False, "", None)`` before any choice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core import outbox, renewal
from core.catalog.payment_methods import EnabledPaymentMethods
from core.context import Context, require_tenant
from core.db import write_transaction
from core.errors import FieldError, ValidationFailed
from core.payments.tables import CustomerPaymentSetting


@dataclass(frozen=True)
class CustomerPaymentView:
    customer_id: int
    payment_method: str
    """"" when none is chosen (never chosen, or reset)."""
    auto_renew: bool
    renewal_day: int | None
    saved_method_ref: str


def _view(customer_id: int, row: dict[str, Any] | None) -> CustomerPaymentView:
    if row is None:
        return CustomerPaymentView(customer_id, "", False, None, "")
    return CustomerPaymentView(
        customer_id,
        row["payment_method"],
        row["auto_renew"],
        row["renewal_day"],
        row["saved_method_ref"],
    )


async def _row(tenant_id: int, customer_id: int) -> dict[str, Any] | None:
    return await (
        CustomerPaymentSetting.select()
        .where(
            (CustomerPaymentSetting.tenant_id == tenant_id)
            & (CustomerPaymentSetting.customer_id == customer_id)
        )
        .first()
        .run()
    )


async def payment_setting(ctx: Context, customer_id: int) -> CustomerPaymentView:
    return _view(customer_id, await _row(ctx.tenant.id, customer_id))


async def renewal_defaults(
    customer_id: int, ctx: Context | None = None
) -> tuple[bool, str, int | None]:
    """``(auto_renew, payment_method, renewal_day)`` of the customer, for a new entitlement;
    the tenant is ``ctx``'s, or the ambient ``tenant_scope``'s without one."""
    tenant_id = ctx.tenant.id if ctx is not None else require_tenant().id
    view = _view(customer_id, await _row(tenant_id, customer_id))
    return view.auto_renew, view.payment_method, view.renewal_day


async def _store(ctx: Context, customer_id: int, setting: renewal.RenewalSetting) -> None:
    values = {
        CustomerPaymentSetting.payment_method: setting.method or "",
        CustomerPaymentSetting.auto_renew: setting.auto_renew,
        CustomerPaymentSetting.renewal_day: setting.renewal_day,
        CustomerPaymentSetting.saved_method_ref: setting.saved_method_ref or "",
        CustomerPaymentSetting.updated_at: ctx.clock.now(),
    }
    async with write_transaction():
        inserted = await (
            CustomerPaymentSetting.insert(
                CustomerPaymentSetting(
                    tenant_id=ctx.tenant.id,
                    customer_id=customer_id,
                    **{column._meta.name: value for column, value in values.items()},
                )
            )
            .on_conflict(
                target=(CustomerPaymentSetting.tenant_id, CustomerPaymentSetting.customer_id),
                action="DO NOTHING",
            )
            .returning(CustomerPaymentSetting.id)
            .run()
        )
        if not inserted:
            await (
                CustomerPaymentSetting.update(values)
                .where(
                    (CustomerPaymentSetting.tenant_id == ctx.tenant.id)
                    & (CustomerPaymentSetting.customer_id == customer_id)
                )
                .run()
            )


async def choose_payment_method(
    ctx: Context,
    customer_id: int,
    method: str,
    renewal_day: int | None = None,
    saved_method_ref: str | None = None,
    enabled: EnabledPaymentMethods | None = None,
) -> CustomerPaymentView:
    """Store the customer's choice (see the module docstring). ``method`` must be one of
    ``core.renewal``'s methods and, with ``enabled``, one the tenant has enabled."""
    errors: list[FieldError] = []
    if method not in renewal.METHOD_RULES:
        errors.append(FieldError("payment_method", "payments.setting.method_unknown"))
    elif enabled is not None and method not in await enabled.enabled(ctx):
        errors.append(FieldError("payment_method", "payments.setting.method_not_enabled"))
    elif renewal.rule_for(method).needs_renewal_day and not (
        isinstance(renewal_day, int) and renewal.is_valid_renewal_day(renewal_day)
    ):
        errors.append(FieldError("renewal_day", "payments.setting.renewal_day_invalid"))
    if errors:
        raise ValidationFailed(errors)
    await _store(ctx, customer_id, renewal.choose_method(method, renewal_day, saved_method_ref))
    return await payment_setting(ctx, customer_id)


async def reset_payment_method(ctx: Context, customer_id: int) -> CustomerPaymentView:
    """支払い方法をリセットする: automatic renewal and the saved method are cleared."""
    previous = await payment_setting(ctx, customer_id)
    cleared = renewal.reset_payment_method(
        renewal.RenewalSetting(
            previous.payment_method or None,
            previous.auto_renew,
            previous.renewal_day,
            previous.saved_method_ref or None,
        )
    )
    async with write_transaction():
        await _store(ctx, customer_id, cleared)
        if previous.payment_method:
            await outbox.record(
                ctx,
                "customer",
                customer_id,
                "payment.method_reset",
                {"customer_id": customer_id, "previous_method": previous.payment_method},
                idempotency_key=f"{ctx.tenant.id}:customer:{customer_id}:payment.method_reset:"
                f"{ctx.clock.now().isoformat()}",
            )
    return await payment_setting(ctx, customer_id)
