"""Shared helpers for the tenants tests: unique slugs and e-mails, a signed-up active tenant."""

import itertools
import secrets
from datetime import UTC, datetime

from core.clock import FrozenClock
from core.context import Actor, ActorKind, Context, TenantRef
from tenants.company import CompanyProfile
from tenants.onboarding import TenantSignUp, approve, sign_up_tenant, verify_owner_email

START = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
OPERATOR = Actor(ActorKind.OPERATOR, "op-1", "Operator One", None, "192.0.2.1")
_counter = itertools.count()


def unique(prefix: str = "t") -> str:
    return f"{prefix}{next(_counter)}{secrets.token_hex(3)}"


def company(**changes) -> CompanyProfile:
    values = {
        "organization_name": "テストホスティング株式会社",
        "contact_name": "山田 太郎",
        "contact_email": "yamada@example.jp",
        "postal_code": "1000005",
        "prefecture": "東京都",
        "address": "千代田区丸の内1-1-1",
        "phone": "03-1234-5678",
        "registration_number": "T7000012050002",
    }
    values.update(changes)
    return CompanyProfile(**values)


def signup_form(**changes) -> TenantSignUp:
    slug = unique("shop")
    values = {
        "slug": slug,
        "display_name": "テストホスティング",
        "company": company(),
        "owner_email": f"owner-{slug}@example.jp",
        "owner_name": "オーナー",
        "owner_password": "correct horse battery",
        "organization_kana": "テストホスティング",
    }
    values.update(changes)
    return TenantSignUp(**values)


async def active_tenant(clock: FrozenClock | None = None):
    """A signed-up, e-mail-confirmed, approved tenant; returns (sign-up result, form)."""
    clock = clock or FrozenClock(START)
    form = signup_form()
    result = await sign_up_tenant(form, clock)
    await verify_owner_email(result.tenant.slug, result.verification_token, clock)
    await approve(result.tenant.id, OPERATOR, clock)
    return result, form


def staff_context(tenant: TenantRef, staff_id: int, clock, **actor) -> Context:
    return Context(
        tenant=tenant,
        actor=Actor(ActorKind.STAFF, str(staff_id), actor.pop("name", "Owner"), **actor),
        clock=clock,
    )
