"""Demo data for the embedded mode: one active tenant, its owner, a customer and an operator."""

from __future__ import annotations

from core.clock import Clock
from core.context import Actor, Context, tenant_scope
from tenants.branding import update_legal
from tenants.customers import add_customer_user, create_customer, set_contact
from tenants.onboarding import tenant_ref
from tenants.passwords import hash_password
from tenants.tables import Operator, StaffRole, StaffUser, Tenant, TenantStatus

DEMO_SLUG = "demo"
DEMO_OWNER = ("owner@demo.example.jp", "demo-owner-pass")
DEMO_OPERATOR = ("operator@shomei.example.jp", "demo-operator-pass")
DEMO_CUSTOMER = ("customer@demo-customer.example.jp", "demo-customer-pass")
DEMO_REGISTRATION_NUMBER = (
    "T7000012050002"  # a real, published 法人番号 (国税庁), valid check digit
)
DEMO_LEGAL = {  # 特定商取引法に基づく表記 of the demo shop (/legal/tokushoho)
    "seller": "デモホスティング株式会社",
    "manager": "デモ 太郎",
    "address": "〒100-0005 東京都千代田区丸の内1-1-1",
    "phone": "03-0000-0000",
    "prices": "各商品ページに表示(税別・税込)",
    "extra_fees": "銀行振込の振込手数料はお客様のご負担となります。",
    "payment_methods": "クレジットカード、銀行振込、ウォレット",
    "payment_timing": "クレジットカード・ウォレット: ご注文時 / 銀行振込: 請求書の支払期日まで",
    "delivery": "ご入金の確認後、バウチャーコードまたは証明書をお届けします。",
    "returns": "デジタル商品のため、お届け後の返品はできません。",
}
DEMO_CONTACTS: tuple[tuple[str, str, str], ...] = (
    ("registrant", "登録 一郎", "registrant@demo-customer.example.jp"),
    ("technical", "技術 二郎", "tech@demo-customer.example.jp"),
    ("billing", "事務 三子", "billing@demo-customer.example.jp"),
    ("contract_officer", "契約 四郎", "officer@demo-customer.example.jp"),
)


async def seed_demo_tenant(clock: Clock) -> list[str]:
    """Create the demo tenant once; print its logins every time."""
    lines = [
        f"Demo shop at {{scheme}}://{DEMO_SLUG}.{{netloc}}/shop/",
        f"Demo tenant '{DEMO_SLUG}' console at {{scheme}}://{DEMO_SLUG}.{{netloc}}/console/login: "
        f"owner {DEMO_OWNER[0]} / {DEMO_OWNER[1]}",
        f"Customer portal at {{scheme}}://{DEMO_SLUG}.{{netloc}}/portal/login: "
        f"{DEMO_CUSTOMER[0]} / {DEMO_CUSTOMER[1]}",
        f"Operator at {{public_url}}/operator/login: {DEMO_OPERATOR[0]} / {DEMO_OPERATOR[1]}",
    ]
    if await Tenant.exists().where(Tenant.slug == DEMO_SLUG).run():
        return lines
    now = clock.now()
    tenant = Tenant(
        slug=DEMO_SLUG,
        name="デモホスティング",
        organization_name="デモホスティング株式会社",
        contact_name="デモ 太郎",
        contact_email=DEMO_OWNER[0],
        postal_code="100-0005",
        prefecture="東京都",
        address="千代田区丸の内1-1-1",
        phone="03-0000-0000",
        registration_number=DEMO_REGISTRATION_NUMBER,
        status=TenantStatus.ACTIVE.value,
        language="ja",
        created_at=now,
        status_changed_at=now,
    )
    await tenant.save().run()
    await StaffUser(
        tenant=tenant.id,
        email=DEMO_OWNER[0],
        display_name="デモ 管理者",
        password_hash=hash_password(DEMO_OWNER[1]),
        role=StaffRole.OWNER.value,
        must_change_password=False,
        email_verified_at=now,
        created_at=now,
    ).save()
    await Operator(
        email=DEMO_OPERATOR[0],
        display_name="shomei operator",
        password_hash=hash_password(DEMO_OPERATOR[1]),
        must_change_password=False,
        email_verified_at=now,
        created_at=now,
    ).save()
    ref = tenant_ref(tenant)
    ctx = Context(tenant=ref, actor=Actor.system("demo"), clock=clock)
    with tenant_scope(ref):
        customer_id = await create_customer(
            ctx, "デモ商事株式会社", "530-0001", "大阪府", "大阪市北区梅田1-1-1", "06-0000-0000"
        )
        for role, name, email in DEMO_CONTACTS:
            await set_contact(ctx, customer_id, role, name, email, "06-0000-0000")
        await add_customer_user(
            ctx, customer_id, DEMO_CUSTOMER[0], "デモ 花子", DEMO_CUSTOMER[1], set_by_staff=False
        )
        await update_legal(ctx, DEMO_LEGAL)
    return lines
