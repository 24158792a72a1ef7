"""A tenant's own settings: display name, language, time zone, branding, custom domain, and the
billing defaults the billing engine reads (tax rounding rule, default payment term)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

from core.billing.terms import PaymentTerm
from core.context import Context
from core.errors import FieldError
from core.money import Rounding
from tenants.audit import audit
from tenants.company import CompanyProfile
from tenants.errors import raise_if, refuse
from tenants.scoping import scoped_tenant_id
from tenants.tables import Tenant
from tenants.validation import (
    check_colour,
    check_domain,
    check_https_url,
    check_language,
    check_length,
    check_time_zone,
    nfkc,
    normalise_host,
    required,
)

PAYMENT_TERMS = tuple(term.value for term in PaymentTerm)


@dataclass(frozen=True)
class TenantSettings:
    name: str
    language: str
    time_zone: str
    custom_domain: str | None
    logo_url: str
    primary_colour: str
    accent_colour: str
    footer_text: str
    tax_rounding: str
    default_payment_term: str
    company: CompanyProfile


def _choice(allowed: tuple[str, ...], message_id: str) -> Callable[[str, str], list[FieldError]]:
    def check(field: str, value: str) -> list[FieldError]:
        return [] if value in allowed else [FieldError(field, message_id)]

    return check


def _text(maximum: int, needed: bool = False) -> Callable[[str, str], list[FieldError]]:
    def check(field: str, value: str) -> list[FieldError]:
        return [*(required(field, value) if needed else []), *check_length(field, value, maximum)]

    return check


def _domain(field: str, value: str) -> list[FieldError]:
    return check_domain(field, value) if value else []


CHECKS: dict[str, Callable[[str, str], list[FieldError]]] = {
    "name": _text(255, needed=True),
    "language": check_language,
    "time_zone": check_time_zone,
    "custom_domain": _domain,
    "logo_url": check_https_url,
    "primary_colour": check_colour,
    "accent_colour": check_colour,
    "footer_text": _text(500),
    "tax_rounding": _choice(tuple(r.value for r in Rounding), "tenants.tax_rounding_invalid"),
    "default_payment_term": _choice(PAYMENT_TERMS, "tenants.payment_term_invalid"),
}
COMPANY_FIELDS = tuple(f.name for f in fields(CompanyProfile))


async def get_settings(ctx: Context) -> TenantSettings:
    tenant_id = scoped_tenant_id(ctx)
    row = await Tenant.objects().where(Tenant.id == tenant_id).first()
    if row is None:
        refuse("tenant", "tenants.tenant_unknown")
    return TenantSettings(
        **{name: getattr(row, name) for name in CHECKS},
        company=CompanyProfile(**{name: getattr(row, name) for name in COMPANY_FIELDS}),
    )


async def update_settings(ctx: Context, changes: dict[str, Any]) -> TenantSettings:
    """Change some settings (and company fields); every bad field is reported at once."""
    tenant_id = scoped_tenant_id(ctx)
    unknown = set(changes) - set(CHECKS) - set(COMPANY_FIELDS)
    if unknown:
        raise_if([FieldError(name, "tenants.setting_unknown") for name in sorted(unknown)])
    current = await get_settings(ctx)
    values = {name: _clean(name, value) for name, value in changes.items()}
    if "custom_domain" in values:
        values["custom_domain"] = normalise_host(values["custom_domain"] or "") or None
    company_changes = {k: v for k, v in values.items() if k in COMPANY_FIELDS}
    company = CompanyProfile(**{**current.company.__dict__, **company_changes}).normalised()
    errors = [e for e in company.errors() if e.field in company_changes]
    for name, value in values.items():
        if name in CHECKS:
            errors += CHECKS[name](name, value or "")
    if values.get("custom_domain") and not errors:
        taken = await Tenant.exists().where(
            (Tenant.custom_domain == values["custom_domain"]) & (Tenant.id != tenant_id)
        )
        if taken:
            errors.append(FieldError("custom_domain", "tenants.domain_taken"))
    raise_if(errors)
    stored = {**values, **{k: getattr(company, k) for k in company_changes}}
    if stored:
        await Tenant.update({getattr(Tenant, k): v for k, v in stored.items()}).where(
            Tenant.id == tenant_id
        )
        await audit(ctx, "tenant.settings_changed", "tenant", tenant_id, {"fields": sorted(stored)})
    return await get_settings(ctx)


def _clean(name: str, value: Any) -> Any:
    if value is None:
        return None
    text = nfkc(str(value))
    return text.upper() if name in ("primary_colour", "accent_colour") else text
