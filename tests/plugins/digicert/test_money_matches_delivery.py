"""Money matches what is delivered (issue 14, journey 5): every priced option of every product
the tenant sells from its DigiCert contract — each term, each additional FQDN, each wildcard
name where the product prices one — is ordered and paid by a customer, fulfilled against the
sandbox upstream over HTTP, and then compared three ways:

- the customer's invoice line (the order line: what the customer is charged) against the
  retail price of exactly those options;
- the upstream voucher (what DigiCert delivered for the money) against the line: product,
  years, FQDNs (the first plus the additional ones), wildcards; and the tenant's own
  pay-as-you-go invoice from DigiCert against the contract's price of the same options;
- the voucher redeemed with every name that was paid for: the upstream certificate order holds
  those names, and one name more is refused.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from core.billing.invoices import get_invoice
from core.catalog.products import save_product
from core.catalog.retail import set_retail_price
from core.catalog.tables import Product
from core.catalog.wholesale import import_price_table
from core.context import Actor, ActorKind, Context, tenant_scope
from core.contracts.common import Price, ProductSpec
from core.contracts.payments import PaymentOutcome, PaymentState
from core.contracts.providers import ActionRequest
from core.entitlements import actions
from core.entitlements.deps import EntitlementDeps
from core.entitlements.fulfilment import fulfil_order
from core.entitlements.queries import get_entitlement
from core.errors import ValidationFailed
from core.money import Rounding
from core.orders.deps import OrderDeps
from core.orders.lifecycle import transition
from core.orders.lines import LineInput
from core.orders.placing import OrderRequest, create_order
from core.orders.providers import ProviderGate
from core.orders.states import OrderState
from core.orders.tables import OrderLine
from core.orders.totals import TaxPolicy
from core.payments.ledger import apply_outcome
from core.plugins import Registry, build_plugin_manager
from plugins.digicert.client import CertCentralClient
from plugins.digicert.provider import DigiCertProvider
from plugins.digicert.views import get_voucher_order
from tenants.customers import create_customer
from tests.csr_helpers import make_csr
from tests.plugins.digicert.conftest import API_KEY
from tests.plugins.digicert.shop import PRICE_CSV
from tests.plugins.digicert.test_voucher_mail import SandboxAccounts

EV_CSV = (
    b"Basic EV,40000,0.0,33760,1,base,ssl_ev_basic\n"
    b"Basic EV,40000,0.0,58400,1,additional_fqdn,ssl_ev_basic\n"
    b"Basic EV,80000,0.0,60000,2,base,ssl_ev_basic\n"
    b"Basic EV,80000,0.0,110000,2,additional_fqdn,ssl_ev_basic\n"
)
RETAIL = {  # per product: base per year, per additional FQDN, per wildcard name
    "ssl_basic": (30_000, 20_000, 120_000),
    "ssl_ev_basic": (60_000, 70_000, 0),
}
WHOLESALE = {  # the contract's price table above: (product, months) -> base, FQDN, wildcard
    ("ssl_basic", 12): (17_600, 26_400, 93_120),
    ("ssl_basic", 24): (24_800, 52_000, 168_960),
    ("ssl_ev_basic", 12): (33_760, 58_400, 0),
    ("ssl_ev_basic", 24): (60_000, 110_000, 0),
}
ADDITIONAL_FQDNS = (0, 1, 2)


async def add_ev_product(shop) -> None:
    """A second product on the same contract: EV, which prices no wildcard name."""
    operator = Context(shop.tenant, Actor(ActorKind.OPERATOR, "op-1", "Operator"), shop.ctx.clock)
    with tenant_scope(shop.tenant):
        account_id = (
            await Product.select(Product.provider_account_id)
            .where(Product.tenant_id == shop.tenant.id)
            .first()
            .run()
        )["provider_account_id"]
        spec = ProductSpec(
            code="ssl_ev_basic", name_ja="ベーシックEV", name_en="Basic EV", kind="ssl",
            validation="ev", terms_months=(12, 24), max_fqdns=249, max_wildcards=0,
        )  # fmt: skip
        await save_product(shop.ctx, account_id, "digicert", spec, wholesale_name="Basic EV")
        end = shop.ctx.clock.now().date().replace(year=2030)
        await import_price_table(operator, account_id, end, PRICE_CSV + EV_CSV)


def options_of(spec: ProductSpec, per_wildcard: int) -> list[tuple[int, int, int]]:
    """(term_months, additional FQDNs, wildcards): every priced option of one product."""
    wildcards = (0, 1) if per_wildcard else (0,)
    return list(itertools.product(spec.terms_months, ADDITIONAL_FQDNS, wildcards))


def names_for(fqdns: int, wildcards: int, n: int) -> list[str]:
    plain = [f"www{n}.paid.test"] + [f"extra{i}-{n}.paid.test" for i in range(fqdns - 1)]
    return plain + [f"*.wild{i}-{n}.paid.test" for i in range(wildcards)]


async def pay(ctx: Context, order_id: int, total: int) -> None:
    await transition(ctx, order_id, OrderState.AWAITING_PAYMENT)
    paid = PaymentOutcome(PaymentState.SUCCEEDED, f"pi_{order_id}", "order", order_id, total)
    await apply_outcome(ctx, paid, "card")


async def test_every_priced_option_of_every_product_reaches_the_upstream(shop, upstream):
    await add_ev_product(shop)
    ctx = shop.ctx
    deps = EntitlementDeps(
        Registry(build_plugin_manager(load_entrypoints=False)), SandboxAccounts(upstream.api_url)
    )
    order_deps = OrderDeps(ProviderGate(deps.registry, deps.accounts), TaxPolicy(Rounding.DOWN))
    with tenant_scope(shop.tenant):
        provider = DigiCertProvider(await deps.accounts.plugin_account(ctx, 0))
        specs = await provider.products(ctx, {})
        assert sorted(s.code for s in specs) == ["ssl_basic", "ssl_ev_basic"]
        products = {
            row["code"]: row["id"]
            for row in await Product.select(Product.id, Product.code).where(
                Product.tenant_id == shop.tenant.id
            )
        }
        wanted: list[dict[str, Any]] = []
        for spec in specs:
            base, per_fqdn, per_wildcard = RETAIL[spec.code]
            for months in spec.terms_months:
                price = Price(base * months // 12, per_fqdn * months // 12, per_wildcard)
                await set_retail_price(ctx, products[spec.code], months, price)
            for months, fqdns, wildcards in options_of(spec, per_wildcard):
                wanted.append(
                    {"code": spec.code, "months": months, "fqdns": fqdns, "wildcards": wildcards,
                     "unit": base * months // 12 + fqdns * (per_fqdn * months // 12)
                     + wildcards * per_wildcard}
                )  # fmt: skip
        customer = await create_customer(
            ctx, "株式会社買い手", "1000005", "東京都", "千代田区丸の内1-1-1", "0312345678"
        )
        lines = tuple(
            LineInput(products[w["code"]], 1, w["months"], w["fqdns"], w["wildcards"])
            for w in wanted
        )
        order = await create_order(ctx, OrderRequest("card", lines, customer), order_deps)
        await pay(ctx, order.id, order.total)
        outcome = await fulfil_order(ctx, order.id, deps)
        assert outcome.status == "fulfilled", outcome
        rows = await (
            OrderLine.select().where(OrderLine.order == order.id).order_by(OrderLine.position).run()
        )
        delivered = [await get_entitlement(ctx, i) for i in outcome.entitlement_ids]

    assert len(rows) == len(wanted) == len(delivered) == 6 * 2 + 3 * 2  # basic and EV
    async with CertCentralClient(API_KEY, upstream.api_url, timeout=30) as api:
        for n, (want, line, voucher) in enumerate(zip(wanted, rows, delivered, strict=True)):
            # what the customer is invoiced for
            assert (line["product_code"], line["term_months"]) == (want["code"], want["months"])
            assert (line["fqdns"], line["wildcards"]) == (want["fqdns"], want["wildcards"])
            assert line["unit_price"] == line["amount"] == want["unit"], want
            # what the upstream delivered for it
            with tenant_scope(shop.tenant):
                ours = await get_voucher_order(ctx, int(voucher.data["voucher_order_id"]))
                tenant_invoice = await get_invoice(ctx, ours.invoice_id)
            [code] = await api.voucher_codes(ours.upstream_id)
            assert code.product_name_id == want["code"]
            assert code.validity_years == want["months"] // 12
            assert code.no_of_fqdns == want["fqdns"] + 1  # the first name and the additional
            assert code.no_of_wildcards == want["wildcards"]
            [billed] = tenant_invoice.lines  # the tenant's pay-as-you-go invoice from DigiCert
            base, per_fqdn, per_wildcard = WHOLESALE[(want["code"], want["months"])]
            cost = base + want["fqdns"] * per_fqdn + want["wildcards"] * per_wildcard
            assert billed.amount == cost, (want, billed)  # the term's price, not per year
            assert f"{want['months'] // 12}Yr" in billed.service_code
            assert f"with {want['fqdns'] + 1} FQDN" in billed.item

            # every paid name can be used, and no more
            names = names_for(want["fqdns"] + 1, want["wildcards"], n)
            method = "email" if want["wildcards"] else "http-token"
            with tenant_scope(shop.tenant):
                too_many = make_csr(names[0], [*names, f"one-more-{n}.paid.test"])
                with pytest.raises(ValidationFailed) as refused:
                    await actions.perform(
                        ctx.with_key(f"over-{n}"), voucher.id,
                        ActionRequest("redeem", {"csr": too_many, "organization_name": "買い手",
                                                 "dcv_method": method}),
                        deps,
                    )  # fmt: skip
                assert refused.value.errors[0].message_id == "digicert.redeem.too_many_names"
                done = await actions.perform(
                    ctx.with_key(f"redeem-{n}"), voucher.id,
                    ActionRequest("redeem", {"csr": make_csr(names[0], names),
                                             "organization_name": "買い手", "dcv_method": method}),
                    deps,
                )  # fmt: skip
            assert done.new_entitlement is not None
            certificate_order = await api.get_order(int(done.new_entitlement.upstream_ref))
            assert sorted(certificate_order.certificate.dns_names) == sorted(names)
            assert certificate_order.validity_years == want["months"] // 12
            assert certificate_order.product_name_id == want["code"]
