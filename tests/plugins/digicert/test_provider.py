"""``DigiCertProvider`` used directly, as the fulfilment worker and the portal will, against the
sandbox over HTTP on both databases; every day-based rule with the clock moved."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.calendar_windows import within_days_end
from core.context import tenant_scope
from core.contracts.common import PluginAccount
from core.contracts.providers import (
    ActionRequest,
    EntitlementState,
    EntitlementView,
    FulfilmentResult,
    LineRequest,
    Provider,
)
from core.errors import ValidationFailed
from core.plugins import Registry, build_plugin_manager
from plugins.digicert.provider import DigiCertProvider
from tests.csr_helpers import make_csr
from tests.plugins.digicert.conftest import API_KEY, SANDBOX_EGRESS
from tests.plugins.digicert.helpers import refusal

NAMES = ("www.shop.test", "shop.test")


@pytest.fixture
def provider(upstream) -> DigiCertProvider:
    account = PluginAccount(
        config={"base_url": upstream.api_url},
        credentials={"api_key": API_KEY},
        egress=SANDBOX_EGRESS,
    )
    return DigiCertProvider(account)


def view(result: FulfilmentResult, ident: int = 1) -> EntitlementView:
    return EntitlementView(
        id=ident, product_code="ssl_basic", state=result.state, created_at=result.issued_at,
        issued_at=result.issued_at, expires_at=result.expires_at,
        upstream_ref=result.upstream_ref, data=result.data,
    )  # fmt: skip


def line(quantity: int = 3, **changes: object) -> LineRequest:
    plain: dict[str, object] = {
        "product_code": "ssl_basic", "quantity": quantity, "term_months": 12, "fqdns": 2,
        "wildcards": 0, "line_id": 7,
    }  # fmt: skip
    plain.update(changes)
    return LineRequest(**plain)  # type: ignore[arg-type]


async def fulfil(shop, provider, key: str, quantity: int = 3) -> list[FulfilmentResult]:
    with tenant_scope(shop.tenant):
        return await provider.fulfil(shop.ctx.with_key(key), line(quantity))


def test_registered_through_the_hook_and_implements_the_contract(provider):
    registry = Registry(build_plugin_manager(load_entrypoints=False))
    assert registry.provider("digicert") is DigiCertProvider
    assert isinstance(provider, Provider)


async def test_products_come_from_the_contract_price_table(shop, provider):
    with tenant_scope(shop.tenant):
        (product,) = await provider.products(shop.ctx, {})
    assert (product.code, product.name_ja, product.terms_months) == (
        "ssl_basic", "ベーシックOV", (12, 24),
    )  # fmt: skip
    assert (product.validation, product.max_fqdns, product.max_wildcards) == ("ov", 249, 250)


async def test_validate_line_limits_with_messages(shop, provider):
    bad = line(1001, term_months=84, fqdns=251, wildcards=-1)
    with tenant_scope(shop.tenant):
        errors = await provider.validate_line(shop.ctx, bad)
        assert await provider.validate_line(shop.ctx, line(1000, term_months=72)) == []
        assert await provider.validate_line(shop.ctx, line(1, fqdns=0, wildcards=0)) == []
        half = await provider.validate_line(shop.ctx, line(0, term_months=18))
    assert {(e.field, e.message_id) for e in errors} == {
        ("quantity", "digicert.line.quantity_out_of_range"),
        ("term_months", "digicert.line.years_out_of_range"),
        ("fqdns", "digicert.line.fqdns_out_of_range"),
        ("wildcards", "digicert.line.wildcards_out_of_range"),
    }
    texts = refusal(ValidationFailed(errors), "quantity", "digicert.line.quantity_out_of_range")
    assert "数量" in texts["ja"] and "between 1 and 1000" in texts["en"]
    assert {e.field for e in half} == {"quantity", "term_months"}


async def test_fulfil_is_idempotent_on_the_key(shop, provider, client, upstream):
    first = await fulfil(shop, provider, "line:7:fulfil")
    again = await fulfil(shop, provider, "line:7:fulfil")
    assert [r.state for r in first] == [EntitlementState.ACTIVE] * 3
    assert [r.upstream_ref for r in again] == [r.upstream_ref for r in first]
    assert len(await client.list_voucher_orders()) == 1
    generated = upstream.clock.now().date()
    code = first[0]
    assert code.data["redeem_by"] == generated.replace(year=generated.year + 1).isoformat()
    assert code.expires_at.date() == generated.replace(year=generated.year + 1) + timedelta(1)
    assert code.data["no_of_fqdns"] == 3 and len(code.data["code"]) == 32  # 2 + the first
    assert code.data["redeem_link"].endswith(code.data["code"])


async def test_code_actions_and_the_30_day_cancel(shop, provider, upstream):
    kept, cancelled = (
        await fulfil(shop, provider, "line:1:fulfil", 2),
        await fulfil(shop, provider, "line:2:fulfil", 2),
    )
    created = upstream.clock.now()
    with tenant_scope(shop.tenant):
        actions = await provider.allowed_actions(shop.ctx, view(kept[0]))
        assert [(a.action, a.rule_id) for a in actions] == [
            ("redeem", "digicert.redeem.before_redeem_by"),
            ("reissue_code", "digicert.reissue_code.active"),
            ("cancel_order", "digicert.cancel_order.within_30_days_all_active"),
        ]
        assert actions[2].until == within_days_end(created, 30, "Asia/Tokyo")  # 24:00 JST, day 30
        assert await provider.renewal_opens(shop.ctx, view(kept[0])) is None

        upstream.clock.advance(timedelta(days=29))
        done = await provider.perform(
            shop.ctx, view(cancelled[1]), ActionRequest("cancel_order", {"reason": "顧客都合"})
        )
        assert done.state == EntitlementState.CANCELLED
        assert done.data["cancelled_code_ids"] == [r.data["code_id"] for r in cancelled]
        assert (await provider.poll(shop.ctx, view(cancelled[0]))).state == "cancelled"
        assert await provider.allowed_actions(shop.ctx, view(cancelled[0])) == []

        upstream.clock.advance(timedelta(days=2))
        late = [a.action for a in await provider.allowed_actions(shop.ctx, view(kept[0]))]
        assert late == ["redeem", "reissue_code"]
        with pytest.raises(ValidationFailed) as refused:
            await provider.perform(shop.ctx, view(kept[0]), ActionRequest("cancel_order"))
        texts = refusal(refused.value, "action", "digicert.action.not_allowed")
        assert "cancel_order" in texts["ja"] and "not allowed" in texts["en"]

        reissued = await provider.perform(shop.ctx, view(kept[1]), ActionRequest("reissue_code"))
        assert reissued.state == EntitlementState.REISSUED
        fresh = reissued.new_entitlement
        assert fresh is not None and fresh.state == EntitlementState.ACTIVE
        assert fresh.data["redeem_by"] == kept[1].data["redeem_by"]
        assert fresh.data["code"] != kept[1].data["code"]
        assert await provider.allowed_actions(shop.ctx, view(kept[1])) == []

        upstream.clock.set(kept[0].expires_at)  # the day after redeem-by
        assert [a.action for a in await provider.allowed_actions(shop.ctx, view(kept[0]))] == [
            "reissue_code"
        ]


async def test_redeem_poll_certificate_actions_and_renewal(shop, provider, upstream):
    (code,) = await fulfil(shop, provider, "line:3:fulfil", 1)
    csr = make_csr(NAMES[0], NAMES)
    with tenant_scope(shop.tenant):
        redeemed = await provider.perform(
            shop.ctx, view(code), ActionRequest(
                "redeem", {"csr": csr, "organization_name": "株式会社テスト", "customer_id": 5}
            ),
        )  # fmt: skip
        assert redeemed.state == EntitlementState.USED
        certificate = redeemed.new_entitlement
        assert certificate is not None and certificate.state == EntitlementState.PENDING
        assert certificate.poll_after == 60
        pending = view(certificate, 2)
        assert [a.action for a in await provider.allowed_actions(shop.ctx, pending)] == [
            "cancel_certificate"
        ]
        still = await provider.poll(shop.ctx, pending)
        assert still.state == EntitlementState.PENDING
        for name in NAMES:
            upstream.tokens.serve_token(name, certificate.data["dcv_random_value"])
        issued = await provider.poll(shop.ctx, pending)
        assert issued.state == EntitlementState.ISSUED and issued.expires_at is not None
        assert issued.data["certificate_pem"].count("BEGIN CERTIFICATE") == 1  # the leaf
        assert issued.data["chain_pem"].count("BEGIN CERTIFICATE") == 2  # intermediate, root
        assert issued.data["dns_names"] == list(NAMES)
        live = view(issued, 2)
        actions = await provider.allowed_actions(shop.ctx, live)
        assert [(a.action, a.rule_id) for a in actions] == [
            ("cancel_certificate", "digicert.cancel_certificate.within_30_days"),
            ("reissue_certificate", "digicert.reissue_certificate.issued"),
        ]
        assert actions[0].until == within_days_end(issued.issued_at, 30, "Asia/Tokyo")
        opens = await provider.renewal_opens(shop.ctx, live)
        assert opens == issued.expires_at - timedelta(days=90)

        again = await provider.perform(
            shop.ctx,
            live,
            ActionRequest("reissue_certificate", {"csr": make_csr(NAMES[0], NAMES[:1])}),
        )
        assert again.state == EntitlementState.ISSUED  # names already validated

        upstream.clock.set(actions[0].until)  # 00:00 JST of day 31
        assert [a.action for a in await provider.allowed_actions(shop.ctx, live)] == [
            "reissue_certificate"
        ]
        with pytest.raises(ValidationFailed) as refused:
            await provider.perform(shop.ctx, live, ActionRequest("cancel_certificate"))
        refusal(refused.value, "action", "digicert.action.not_allowed")
