"""The sign-up's mails, written to the outbox of the new tenant for the mail worker to send.

Platform mails (``core.messaging.events``: ``MailKind.platform``), in the applicant's language:

``signup.verification_requested``
    ``to``, ``name``, ``language``, ``organization_name``, ``slug`` and ``sealed.verify_url``
    (the confirmation link with its one-time token, sealed like the password reset's link).
``signup.approved``
    ``to``, ``name``, ``language``, ``organization_name``, ``slug``, ``login_email`` and
    ``console_url``: ``{scheme}://{slug}.{host of PUBLIC_URL}/console/login``.
``signup.rejected``
    ``to``, ``name``, ``language``, ``organization_name`` and the operator's ``reason``.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.context import Context
from core.links import tenant_url
from core.messaging.mail_secrets import SEALED, seal_fields
from core.outbox import record
from core.sealing import Keyring
from tenants.onboarding import Owner
from tenants.tokens import token_digest

VERIFICATION_REQUESTED = "signup.verification_requested"
APPROVED = "signup.approved"
REJECTED = "signup.rejected"
CONSOLE_LOGIN = "/console/login"


@dataclass(frozen=True)
class Applicant:
    """Who receives the sign-up's mails."""

    email: str
    name: str
    language: str
    organization_name: str


def _recipient(applicant: Applicant) -> dict[str, str]:
    return {
        "to": applicant.email,
        "name": applicant.name,
        "language": applicant.language,
        "organization_name": applicant.organization_name,
    }


def applicant_of(owner: Owner, organization_name: str, language: str) -> Applicant:
    return Applicant(owner.email, owner.display_name, language, organization_name)


def console_login_url(public_url: str, slug: str) -> str:
    """The tenant's console sign-in page on its own host."""
    return tenant_url(public_url, slug, CONSOLE_LOGIN)


async def verification_requested(
    ctx: Context, keyring: Keyring, applicant: Applicant, token: str, verify_url: str
) -> bool:
    """The confirmation mail, its link sealed; one event per token."""
    return await record(
        ctx,
        "tenant",
        ctx.tenant.id,
        VERIFICATION_REQUESTED,
        {
            **_recipient(applicant),
            "slug": ctx.tenant.slug,
            SEALED: seal_fields(keyring, ctx.tenant.id, {"verify_url": verify_url}),
        },
        idempotency_key=f"{VERIFICATION_REQUESTED}:{token_digest(token)}",
    )


async def approved(ctx: Context, applicant: Applicant, public_url: str) -> bool:
    """The approval mail with the console's address (once per tenant)."""
    return await record(
        ctx,
        "tenant",
        ctx.tenant.id,
        APPROVED,
        {
            **_recipient(applicant),
            "slug": ctx.tenant.slug,
            "login_email": applicant.email,
            "console_url": console_login_url(public_url, ctx.tenant.slug),
        },
        idempotency_key=f"{APPROVED}:{ctx.tenant.id}",
    )


async def rejected(ctx: Context, applicant: Applicant, reason: str) -> bool:
    """The refusal with the operator's reason (once per tenant: a rejection is final)."""
    return await record(
        ctx,
        "tenant",
        ctx.tenant.id,
        REJECTED,
        {**_recipient(applicant), "reason": reason},
        idempotency_key=f"{REJECTED}:{ctx.tenant.id}",
    )
