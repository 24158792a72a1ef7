"""allowed_actions / perform through the provider, the listings, and tenant isolation."""

from datetime import date, timedelta

import pytest

from core.context import system_scope
from core.contracts.providers import ActionRequest, EntitlementState
from core.entitlements.actions import allowed_actions, perform
from core.entitlements.fulfilment import fulfil_order
from core.entitlements.queries import (
    get_entitlement,
    list_entitlements,
    list_for_customer,
    list_for_order,
)
from core.errors import NotFound, ValidationFailed
from core.i18n import Translator, merge_catalogs
from core.plugins import build_plugin_manager
from tenants.tables import AuditEntry
from tests.core.catalog.helpers import make_ctx
from tests.core.entitlements.helpers import CUSTOMER, events, make_deps, paid_order
from tests.core.entitlements.upstream import REDEEM_BY


async def fulfilled(ctx, deps, quantity: int = 2, customer_id: int = CUSTOMER) -> list:
    order_id = await paid_order(ctx, deps, quantity=quantity, customer_id=customer_id)
    assert (await fulfil_order(ctx, order_id, deps)).status == "fulfilled"
    return await list_for_order(ctx, order_id)


def translated(exc: pytest.ExceptionInfo) -> tuple[str, str]:
    pm = build_plugin_manager(load_entrypoints=False)
    catalogs = merge_catalogs(pm.hook.register_translations())
    (error,) = exc.value.errors
    assert error.field == "action"
    return (
        Translator(catalogs, "ja")(error.message_id, **error.params),
        Translator(catalogs, "en")(error.message_id, **error.params),
    )


async def test_allowed_actions_come_from_the_provider_and_the_clock(database, upstream):
    ctx, deps = make_ctx(), make_deps(upstream)
    first, _ = await fulfilled(ctx, deps)
    found = await allowed_actions(ctx, first.id, deps)
    assert [(a.action, a.rule_id) for a in found] == [
        ("reissue", "test_upstream.reissue.active"),
        ("cancel", "test_upstream.cancel.within_30_days"),
    ]
    assert found[1].until == first.created_at + timedelta(days=30)
    ctx.clock.advance(timedelta(days=30))
    assert [a.action for a in await allowed_actions(ctx, first.id, deps)] == ["reissue"]


async def test_an_action_not_allowed_now_is_refused_in_both_languages(database, upstream):
    ctx, deps = make_ctx(), make_deps(upstream)
    first, _ = await fulfilled(ctx, deps)
    ctx.clock.advance(timedelta(days=31))
    with pytest.raises(ValidationFailed) as exc:
        await perform(ctx, first.id, ActionRequest("cancel"), deps)
    assert exc.value.errors[0].message_id == "entitlements.action.not_allowed"
    assert translated(exc) == (
        "「cancel」の操作は現在行えません。",
        'The action "cancel" is not allowed now.',
    )
    assert (await get_entitlement(ctx, first.id)).state is EntitlementState.ACTIVE
    with pytest.raises(ValidationFailed):
        await perform(ctx, first.id, ActionRequest("explode"), deps)


async def test_perform_writes_state_child_audit_and_event(database, upstream):
    ctx, deps = make_ctx(key="form-token-1"), make_deps(upstream)
    first, second = await fulfilled(ctx, deps)
    outcome = await perform(ctx, first.id, ActionRequest("reissue"), deps)
    assert outcome.allowed_by.rule_id == "test_upstream.reissue.active"
    assert outcome.message_id == "test_upstream.reissued"
    assert outcome.entitlement.state is EntitlementState.REISSUED
    assert outcome.entitlement.data["reissued_as"] == f"{first.data['code']}R"
    assert outcome.entitlement.data["code"] == first.data["code"]  # the provider record is kept
    child = outcome.new_entitlement
    assert child is not None and child.parent_id == first.id and child.order_id == first.order_id
    assert child.state is EntitlementState.ACTIVE and child.customer_id == CUSTOMER
    assert child.expires_at == REDEEM_BY and child.data == {"code": f"{first.data['code']}R"}
    audit = await (
        AuditEntry.select()
        .where(AuditEntry.tenant_id == ctx.tenant.id)
        .output(load_json=True)
        .run()
    )
    assert [(a["action"], a["object_id"]) for a in audit] == [
        ("entitlement.reissue", str(first.id))
    ]
    details = audit[0]["details"]
    assert details["rule_id"] == "test_upstream.reissue.active"
    assert details["new_entitlement_id"] == child.id
    (performed,) = await events(ctx, "entitlement.action_performed")
    assert performed["payload"]["action"] == "reissue" and performed["payload"]["to"] == "reissued"
    issued = [e["payload"]["entitlement_id"] for e in await events(ctx, "entitlement.issued")]
    assert issued == [first.id, second.id, child.id]
    with pytest.raises(ValidationFailed):  # a reissued code allows nothing any more
        await perform(ctx, first.id, ActionRequest("reissue"), deps)
    cancelled = await perform(ctx, second.id, ActionRequest("cancel"), deps)
    assert cancelled.entitlement.state is EntitlementState.CANCELLED
    assert cancelled.entitlement.data["cancelled_with"] == f"ent:{second.id}:act:form-token-1"


async def test_listings_filter_by_customer_state_and_expiry(database, upstream):
    ctx, deps = make_ctx(), make_deps(upstream)
    mine = await fulfilled(ctx, deps, quantity=2, customer_id=11)
    theirs = await fulfilled(ctx, deps, quantity=1, customer_id=12)
    assert [e.id for e in await list_for_customer(ctx, 11)] == [e.id for e in mine]
    assert [e.id for e in await list_for_customer(ctx, 12)] == [e.id for e in theirs]
    await perform(ctx, mine[0].id, ActionRequest("cancel"), deps)
    active = await list_entitlements(ctx, state=EntitlementState.ACTIVE)
    assert [e.id for e in active] == [mine[1].id, theirs[0].id]
    cancelled = await list_for_customer(ctx, 11, state=EntitlementState.CANCELLED)
    assert [e.id for e in cancelled] == [mine[0].id]
    expiry_day = REDEEM_BY.date()  # 2027-12-31 15:00 UTC = 2028-01-01 00:00 JST
    assert await list_entitlements(ctx, expiring_before=expiry_day) == []
    soon = await list_entitlements(ctx, expiring_before=date(2028, 1, 2))
    assert len(soon) == 3
    assert await list_entitlements(ctx, expiring_before=REDEEM_BY) == []
    assert len(await list_entitlements(ctx, expiring_before=REDEEM_BY + timedelta(seconds=1))) == 3


async def test_another_tenant_can_neither_see_nor_act(database, upstream):
    ctx, deps = make_ctx(), make_deps(upstream)
    other = make_ctx(clock=ctx.clock)
    first, _ = await fulfilled(ctx, deps)
    with pytest.raises(NotFound):
        await get_entitlement(other, first.id)
    with pytest.raises(NotFound):
        await allowed_actions(other, first.id, deps)
    with pytest.raises(NotFound):
        await perform(other, first.id, ActionRequest("cancel"), deps)
    assert await list_for_customer(other, CUSTOMER) == []
    assert await list_entitlements(other) == []
    assert (await get_entitlement(ctx, first.id)).state is EntitlementState.ACTIVE
    with system_scope("test: the audit log across tenants"):
        assert await AuditEntry.count().where(AuditEntry.tenant_id == other.tenant.id) == 0
