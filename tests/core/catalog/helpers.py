"""Contexts with a fresh tenant per test, and catalog products, for catalog and order tests."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from core.catalog.products import ProductView, save_product
from core.clock import FrozenClock
from core.context import Actor, ActorKind, Context, TenantRef
from core.contracts.common import ProductSpec

START = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)  # 10:00 JST on 7 December


def new_tenant_id() -> int:
    return 1_000_000 + secrets.randbelow(2_000_000_000)


def make_ctx(
    tenant_id: int | None = None,
    clock: FrozenClock | None = None,
    actor: Actor | None = None,
    key: str = "",
) -> Context:
    tenant_id = tenant_id or new_tenant_id()
    return Context(
        tenant=TenantRef(id=tenant_id, slug=f"t{tenant_id}"),
        actor=actor or Actor(kind=ActorKind.STAFF, id="staff-1"),
        clock=clock or FrozenClock(START),
        idempotency_key=key,
    )


def operator(ctx: Context) -> Context:
    """The same tenant and clock, acted on by the operator (who sets price tables)."""
    return Context(ctx.tenant, Actor(kind=ActorKind.OPERATOR, id="op-1"), ctx.clock)


async def make_product(
    ctx: Context,
    code: str = "ssl-ov",
    account_id: int = 1,
    provider_code: str = "test_digi",
    terms: tuple[int, ...] = (12, 24, 36),
    wholesale_name: str = "",
) -> ProductView:
    spec = ProductSpec(
        code=code,
        name_ja=f"{code} 証明書",
        name_en=f"{code} certificate",
        kind="ssl",
        validation="ov",
        terms_months=terms,
        max_fqdns=250,
        max_wildcards=250,
    )
    return await save_product(ctx, account_id, provider_code, spec, wholesale_name=wholesale_name)
