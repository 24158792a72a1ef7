"""Wholesale price tables per provider contract: imported by the operator, read by the tenant.

Prices are agreed with the provider and then set for the tenant (seed 000): the tenant lists
them and never edits them. An import replaces the contract's whole table in one transaction,
or, when any row is bad, changes nothing; importing the same file again changes nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from core.catalog.calendar import tenant_today
from core.catalog.errors import refuse
from core.catalog.price_csv import ADDITIONAL_FQDN, BASE, WILDCARD, parse_price_table
from core.catalog.products import ProductView
from core.catalog.tables import WholesaleContract, WholesalePrice
from core.context import ActorKind, Context
from core.contracts.common import Price
from core.db import bound_engine

IMPORTERS = (ActorKind.OPERATOR, ActorKind.SYSTEM)
"""Who may set a price table: the tenant's own staff only read it."""


INSERT_BATCH = 1_000  # rows per INSERT: 10 columns each


@dataclass(frozen=True)
class ImportResult:
    contract_id: int
    rows: int
    changed: bool


@dataclass(frozen=True)
class TermPrices:
    """One product's wholesale prices for one term, as the contract view shows them."""

    term_months: int
    list_price: int | None = None
    discount_rate: str | None = None
    offered_price: int | None = None
    per_additional_fqdn: int | None = None
    per_wildcard: int | None = None


@dataclass(frozen=True)
class ProductPrices:
    product_name: str
    product_code: str
    terms: tuple[TermPrices, ...]


@dataclass(frozen=True)
class PriceTableView:
    contract_id: int
    provider_account_id: int
    contract_end: date
    active: bool
    products: tuple[ProductPrices, ...] = field(default_factory=tuple)


async def import_price_table(
    ctx: Context, provider_account_id: int, contract_end: date, data: bytes
) -> ImportResult:
    """Replace the contract's price table with the file's rows, all or nothing."""
    if ctx.actor.kind not in IMPORTERS:
        raise refuse("price_table", "catalog.price_table.read_only")
    rows = parse_price_table(data)
    digest = hashlib.sha256(contract_end.isoformat().encode() + b"\n" + data).hexdigest()
    async with bound_engine().transaction():
        contract = await _contract(ctx, provider_account_id)
        if contract is not None and contract["source_digest"] == digest:
            return ImportResult(contract["id"], len(rows), changed=False)
        if contract is None:
            row = WholesaleContract(
                tenant_id=ctx.tenant.id,
                provider_account_id=provider_account_id,
                contract_end=contract_end,
                source_digest=digest,
                imported_at=ctx.clock.now(),
            )
            await row.save().run()
            contract_id = row.id
        else:
            contract_id = contract["id"]
            await (
                WholesaleContract.update(
                    {
                        WholesaleContract.contract_end: contract_end,
                        WholesaleContract.source_digest: digest,
                        WholesaleContract.imported_at: ctx.clock.now(),
                    }
                )
                .where(WholesaleContract.id == contract_id)
                .run()
            )
            await (
                WholesalePrice.delete()
                .where(
                    (WholesalePrice.contract_id == contract_id)
                    & (WholesalePrice.tenant_id == ctx.tenant.id)
                )
                .run()
            )
        prices = [
            WholesalePrice(
                tenant_id=ctx.tenant.id,
                contract_id=contract_id,
                row_number=r.row_number,
                product_name=r.product_name,
                product_code=r.product_code,
                item=r.item,
                term_months=r.term_months,
                list_price=r.list_price,
                discount_rate=r.discount_rate,
                offered_price=r.offered_price,
            )
            for r in rows
        ]
        for start in range(0, len(prices), INSERT_BATCH):  # bind parameters stay < 32,767
            await WholesalePrice.insert(*prices[start : start + INSERT_BATCH]).run()
    return ImportResult(contract_id, len(rows), changed=True)


async def list_price_tables(ctx: Context) -> list[PriceTableView]:
    """The tenant's price tables, one per provider contract (read-only)."""
    contracts = await (
        WholesaleContract.select()
        .where(WholesaleContract.tenant_id == ctx.tenant.id)
        .order_by(WholesaleContract.id)
        .run()
    )
    today = tenant_today(ctx)
    views = []
    for contract in contracts:
        rows = await _rows(ctx, contract["id"])
        views.append(
            PriceTableView(
                contract_id=contract["id"],
                provider_account_id=contract["provider_account_id"],
                contract_end=contract["contract_end"],
                active=today <= contract["contract_end"],
                products=_group(rows),
            )
        )
    return views


async def wholesale_price(ctx: Context, product: ProductView, term_months: int) -> Price | None:
    """The offered (wholesale) price of a product and term under a contract still running."""
    contract = await _contract(ctx, product.provider_account_id)
    if contract is None or tenant_today(ctx) > contract["contract_end"]:
        return None
    rows = await _rows(ctx, contract["id"])
    name = product.wholesale_name or product.name_ja
    mine = [
        r
        for r in rows
        if r["term_months"] == term_months
        and ((r["product_code"] and r["product_code"] == product.code) or r["product_name"] == name)
    ]
    by_item = {r["item"]: r["offered_price"] for r in mine}
    if BASE not in by_item:
        return None
    return Price(
        base=by_item[BASE],
        per_additional_fqdn=by_item.get(ADDITIONAL_FQDN, 0),
        per_wildcard=by_item.get(WILDCARD, 0),
    )


async def _contract(ctx: Context, provider_account_id: int) -> dict[str, Any] | None:
    return await (
        WholesaleContract.select()
        .where(
            (WholesaleContract.tenant_id == ctx.tenant.id)
            & (WholesaleContract.provider_account_id == provider_account_id)
        )
        .first()
        .run()
    )


async def _rows(ctx: Context, contract_id: int) -> list[dict[str, Any]]:
    return await (
        WholesalePrice.select()
        .where(
            (WholesalePrice.contract_id == contract_id)
            & (WholesalePrice.tenant_id == ctx.tenant.id)
        )
        .order_by(WholesalePrice.row_number)
        .run()
    )


def _group(rows: list[dict[str, Any]]) -> tuple[ProductPrices, ...]:
    products: dict[tuple[str, str], dict[int, dict[str, Any]]] = {}
    for r in rows:
        terms = products.setdefault((r["product_name"], r["product_code"]), {})
        term = terms.setdefault(r["term_months"], {"term_months": r["term_months"]})
        if r["item"] == BASE:
            term.update(
                list_price=r["list_price"],
                discount_rate=r["discount_rate"],
                offered_price=r["offered_price"],
            )
        elif r["item"] == ADDITIONAL_FQDN:
            term["per_additional_fqdn"] = r["offered_price"]
        else:
            term["per_wildcard"] = r["offered_price"]
    return tuple(
        ProductPrices(name, code, tuple(TermPrices(**terms[t]) for t in sorted(terms)))
        for (name, code), terms in products.items()
    )
