"""The wholesale contract (覚書) of a tenant with DigiCert: PayGo, OnGoing or bulk.

Its price table is core.catalog's wholesale table of the same provider account (imported by
the operator with ``core.catalog.wholesale.import_price_table``); this module keeps only what
the catalog has no place for: the contract type, the payment term, the account balance, and
the provider as the issuer of the invoices, with its bank account.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import date
from typing import Any

from core.billing.draft_checks import issuer_errors
from core.billing.models import BankAccount, Issuer
from core.billing.terms import PaymentTerm
from core.billing.timing import ContractType
from core.catalog.products import ProductView, list_products
from core.catalog.retail import unit_price
from core.catalog.wholesale import PriceTableView, list_price_tables, wholesale_price
from core.context import ActorKind, Context
from core.contracts.common import Yen
from core.errors import FieldError, ValidationFailed
from core.registration_number import normalise_registration_number
from plugins.digicert.tables import DcContract

CONTRACT_TYPES = (ContractType.PAY_AS_YOU_GO, ContractType.ONGOING, ContractType.BULK)
SETTERS = (ActorKind.OPERATOR, ActorKind.SYSTEM)
BANK_FIELDS = ("bank_name", "branch_name", "account_type", "account_number", "account_holder")


@dataclass(frozen=True)
class ContractView:
    id: int
    provider_account_id: int
    contract_type: str
    payment_term: str
    account_balance: Yen
    issuer: Issuer
    bank_account: BankAccount
    effective_on: date | None = None
    minimum_purchase: Yen = 0


async def set_contract(
    ctx: Context,
    provider_account_id: int,
    contract_type: str,
    issuer: Issuer,
    bank_account: BankAccount,
    payment_term: str = PaymentTerm.NET30EOM.value,
    account_balance: Yen = 0,
    effective_on: date | None = None,
    minimum_purchase: Yen = 0,
) -> ContractView:
    """Create or replace the tenant's contract; agreed with the provider, so operators only.

    The issuer must be able to print a qualified invoice (its registration number ``T`` + a
    法人番号 with check digit, written any way a person types it) and the bank account must be
    complete: an order under the contract is invoiced after the upstream order exists, so what
    the invoice needs is refused here, never there. A bulk contract (一括購入) needs its
    effective date (発効日) and minimum purchase level (最低購入レベル, yen before tax), which
    ``schedules.BulkInvoices`` bills on that date."""
    errors = []
    if ctx.actor.kind not in SETTERS:
        errors.append(FieldError("contract", "digicert.contract.read_only"))
    if contract_type not in {c.value for c in CONTRACT_TYPES}:
        errors.append(FieldError("contract_type", "digicert.contract.type_invalid"))
    if payment_term not in {t.value for t in PaymentTerm}:
        errors.append(FieldError("payment_term", "digicert.contract.term_invalid"))
    # checked here, not first when an invoice is refused after the upstream order exists
    issuer = replace(
        issuer, registration_number=normalise_registration_number(issuer.registration_number)
    )
    errors.extend(issuer_errors(issuer))
    if contract_type == ContractType.BULK.value:
        if effective_on is None:
            errors.append(FieldError("effective_on", "digicert.contract.effective_on_required"))
        if not isinstance(minimum_purchase, int) or minimum_purchase < 1:
            errors.append(
                FieldError("minimum_purchase", "digicert.contract.minimum_purchase_invalid")
            )
    else:
        effective_on, minimum_purchase = None, 0
    for name in BANK_FIELDS:
        if not str(getattr(bank_account, name)).strip():
            errors.append(FieldError(f"bank_account.{name}", "digicert.contract.bank_required"))
    if errors:
        raise ValidationFailed(errors)
    values: dict[Any, Any] = {
        DcContract.provider_account_id: provider_account_id,
        DcContract.contract_type: contract_type,
        DcContract.payment_term: payment_term,
        DcContract.account_balance: account_balance,
        DcContract.issuer: asdict(issuer),
        DcContract.bank_account: asdict(bank_account),
        DcContract.updated_at: ctx.clock.now(),
        DcContract.effective_on: effective_on,
        DcContract.minimum_purchase: minimum_purchase,
    }
    if await DcContract.exists().where(DcContract.tenant_id == ctx.tenant.id).run():
        await DcContract.update(values).where(DcContract.tenant_id == ctx.tenant.id).run()
    else:
        await (
            DcContract(tenant_id=ctx.tenant.id, **{c._meta.name: v for c, v in values.items()})
            .save()
            .run()
        )
    return await get_contract(ctx)


async def get_contract(ctx: Context) -> ContractView:
    row = await (
        DcContract.select()
        .where(DcContract.tenant_id == ctx.tenant.id)
        .output(load_json=True)
        .first()
        .run()
    )
    if row is None:
        raise ValidationFailed([FieldError("contract", "digicert.contract.missing")])
    return ContractView(
        id=row["id"],
        provider_account_id=row["provider_account_id"],
        contract_type=row["contract_type"],
        payment_term=row["payment_term"],
        account_balance=row["account_balance"],
        issuer=Issuer(**row["issuer"]),
        bank_account=BankAccount(**row["bank_account"]),
        effective_on=_day(row["effective_on"]),
        minimum_purchase=row["minimum_purchase"],
    )


def _day(value: Any) -> date | None:
    """A Date column as a date (SQLite may hand back its text)."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


async def adjust_balance(ctx: Context, delta: Yen) -> None:
    """Add ``delta`` (negative: a purchase charged to the account balance)."""
    await (
        DcContract.update({DcContract.account_balance: DcContract.account_balance + delta})
        .where(DcContract.tenant_id == ctx.tenant.id)
        .run()
    )


async def price_table(ctx: Context) -> PriceTableView | None:
    """The contract's price table, read-only, as core.catalog shows it."""
    contract = await get_contract(ctx)
    for table in await list_price_tables(ctx):
        if table.provider_account_id == contract.provider_account_id:
            return table
    return None


async def product_by_code(ctx: Context, provider_account_id: int, code: str) -> ProductView | None:
    for product in await list_products(ctx, provider_account_id):
        if product.code == code:
            return product
    return None


async def voucher_unit_price(
    ctx: Context, product: ProductView, years: int, fqdns: int, wildcards: int
) -> Yen | None:
    """One voucher at the contract's offered price: base (one name) + extra FQDNs + wildcards."""
    price = await wholesale_price(ctx, product, years * 12)
    if price is None:
        return None
    return unit_price(price, max(fqdns - 1, 0), wildcards)
