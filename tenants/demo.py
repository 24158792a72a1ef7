"""Demo data for the embedded mode: one active tenant, its owner and an operator."""

from __future__ import annotations

from core.clock import Clock
from tenants.passwords import hash_password
from tenants.tables import Operator, StaffRole, StaffUser, Tenant, TenantStatus

DEMO_SLUG = "demo"
DEMO_OWNER = ("owner@demo.example.jp", "demo-owner-pass")
DEMO_OPERATOR = ("operator@shomei.example.jp", "demo-operator-pass")


async def seed_demo_tenant(clock: Clock) -> list[str]:
    """Create the demo tenant once; print its logins every time."""
    lines = [
        f"Demo tenant '{DEMO_SLUG}': owner {DEMO_OWNER[0]} / {DEMO_OWNER[1]}",
        f"Operator: {DEMO_OPERATOR[0]} / {DEMO_OPERATOR[1]}",
    ]
    if await Tenant.exists().where(Tenant.slug == DEMO_SLUG).run():
        return lines
    now = clock.now()
    tenant = Tenant(
        slug=DEMO_SLUG,
        name="デモホスティング株式会社",
        status=TenantStatus.ACTIVE.value,
        language="ja",
        created_at=now,
    )
    await tenant.save().run()
    await (
        StaffUser(
            tenant=tenant.id,
            email=DEMO_OWNER[0],
            display_name="デモ 管理者",
            password_hash=hash_password(DEMO_OWNER[1]),
            role=StaffRole.OWNER.value,
            must_change_password=False,
            created_at=now,
        )
        .save()
        .run()
    )
    await (
        Operator(
            email=DEMO_OPERATOR[0],
            display_name="shomei operator",
            password_hash=hash_password(DEMO_OPERATOR[1]),
            created_at=now,
        )
        .save()
        .run()
    )
    return lines
