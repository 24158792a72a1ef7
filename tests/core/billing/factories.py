"""Drafts and contexts for the billing tests. Tenant ids are unique per test (shared tables)."""

from __future__ import annotations

import itertools
import os
from dataclasses import replace
from datetime import UTC, datetime

from core.billing.contact import BillingContact
from core.billing.models import BankAccount, InvoiceDraft, Issuer, LineDraft
from core.billing.terms import PaymentTerm
from core.clock import FrozenClock
from core.context import Actor, ActorKind, Context, TenantRef

_ids = itertools.count(700_000 + (os.getpid() % 1000) * 1000)

ISSUER = Issuer(
    name="株式会社しょうめいホスティング",
    registration_number="T7000012050002",
    postal_code="104-0061",
    address="東京都中央区銀座6-10-1 GINZA SIX 8階",
    phone="03-4560-3971",
    email="billing@example.jp",
)
BANK = BankAccount(
    bank_name="三井住友銀行",
    branch_name="ツバキ支店",
    branch_code="879",
    account_type="当座",
    account_number="0249302",
    account_holder="ショウメイホスティング(カ",
)
RECIPIENT = BillingContact(
    organization_name="JPY株式会社",
    postal_code="104-0061",
    prefecture="東京都",
    address="中央区銀座6-1-10 GINZASIX",
    contact_name="鈴木 太郎",
    phone="03-1111-5153",
    email="taro@example.jp",
)
LINES = (
    LineDraft("SSLOV 2Yr", "Basic OV 2年 with 3 FQDNs and 3 Wildcards", 1, 828_600),
    LineDraft("GTEV 1Yr", "ジオトラスト トゥルービジネスID EV 1年", 3, 219_000),
)


def new_tenant_id() -> int:
    return next(_ids)


def context(
    tenant_id: int | None = None,
    key: str = "",
    at: datetime | None = None,
    actor: Actor | None = None,
) -> Context:
    tenant_id = tenant_id if tenant_id is not None else new_tenant_id()
    return Context(
        tenant=TenantRef(id=tenant_id, slug=f"t{tenant_id}"),
        actor=actor or Actor(ActorKind.STAFF, "42", display_name="経理 花子"),
        clock=FrozenClock(at or datetime(2026, 11, 22, 1, 0, tzinfo=UTC)),
        idempotency_key=key,
    )


def draft(source_id: str = "order-1", **changes: object) -> InvoiceDraft:
    base = InvoiceDraft(
        source_type="order",
        source_id=source_id,
        issuer=ISSUER,
        bank_account=BANK,
        recipient=RECIPIENT,
        lines=LINES,
        term=PaymentTerm.NET30EOM,
        reference_kind="voucher_order",
        reference_number="1031",
    )
    return replace(base, **changes)  # type: ignore[arg-type]
