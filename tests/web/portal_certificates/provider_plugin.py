"""A test-only ``Provider`` (code ``portal_test``) issuing real certificates from a test CA.

Rules (judged with ``ctx.clock``), while the entitlement is ISSUED:
- ``reissue`` for 25 days after issuance (``until`` = issued + 25 days); the CSR must carry
  the same common name, else the provider refuses with its own message
  (``portal_test.name_mismatch``, ja and en); the new certificate is a new entitlement and
  this one becomes REISSUED;
- ``revoke`` at any time (the reason is kept in ``data["revocation_reason"]``);
- ``cancel`` for 30 days after issuance (a plain action: the portal confirms, then performs);
- ``renew`` from 90 days before expiry until expiry.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from core.certificates.csr import parse_csr
from core.clock import SystemClock
from core.context import Context
from core.contracts.common import PluginAccount, ProductSpec
from core.contracts.issuers import RevocationReason
from core.contracts.providers import (
    ActionRequest,
    ActionResult,
    AllowedAction,
    EntitlementState,
    EntitlementView,
    FulfilmentResult,
    LineRequest,
)
from core.errors import FieldError, ValidationFailed
from core.hookspecs import hookimpl
from tests.web.portal_certificates.x509s import make_authority, sign
from web.portal_certificates.certificate import certificate_facts

CODE = "portal_test"
REISSUE_DAYS = 25
CANCEL_DAYS = 30
RENEW_DAYS = 90
VALIDITY_DAYS = 365
AUTHORITY = make_authority(SystemClock().now() - timedelta(days=400))


def certificate_data(csr_pem: str, issued: datetime) -> dict[str, Any]:
    return {
        "certificate_pem": sign(AUTHORITY, csr_pem, issued, VALIDITY_DAYS),
        "chain_pem": AUTHORITY.pem,
    }


class PortalTestProvider:
    code = CODE
    config_fields = ()

    def __init__(self, account: PluginAccount) -> None:
        self.account = account

    async def products(self, ctx: Context, config: dict[str, Any]) -> list[ProductSpec]:
        return []

    async def validate_line(self, ctx: Context, line: LineRequest) -> list[FieldError]:
        return []

    async def fulfil(self, ctx: Context, line: LineRequest) -> list[FulfilmentResult]:
        raise NotImplementedError("the portal tests store entitlements directly")

    async def poll(self, ctx: Context, entitlement: EntitlementView) -> FulfilmentResult:
        raise NotImplementedError

    async def allowed_actions(
        self, ctx: Context, entitlement: EntitlementView
    ) -> list[AllowedAction]:
        if entitlement.state is not EntitlementState.ISSUED or entitlement.issued_at is None:
            return []
        now = ctx.clock.now()
        allowed = []
        reissue_until = entitlement.issued_at + timedelta(days=REISSUE_DAYS)
        if now < reissue_until:
            allowed.append(AllowedAction("reissue", "portal_test.reissue.25_days", reissue_until))
        allowed.append(AllowedAction("revoke", "portal_test.revoke.issued"))
        cancel_until = entitlement.issued_at + timedelta(days=CANCEL_DAYS)
        if now < cancel_until:
            allowed.append(AllowedAction("cancel", "portal_test.cancel.30_days", cancel_until))
        expires = entitlement.expires_at
        if expires is not None and expires - timedelta(days=RENEW_DAYS) <= now < expires:
            allowed.append(AllowedAction("renew", "portal_test.renew.90_days", expires, True))
        return allowed

    async def perform(
        self, ctx: Context, entitlement: EntitlementView, request: ActionRequest
    ) -> ActionResult:
        if request.action == "revoke":
            reason = RevocationReason(request.params["reason"])
            return ActionResult(EntitlementState.REVOKED, {"revocation_reason": reason.value})
        if request.action == "cancel":
            return ActionResult(
                EntitlementState.CANCELLED, {"cancelled_at": ctx.clock.now().isoformat()}
            )
        if request.action != "reissue":
            raise ValidationFailed([FieldError("action", "portal_test.unknown_action")])
        csr = str(request.params.get("csr", ""))
        current = certificate_facts(entitlement.data)
        asked = parse_csr(csr)
        if current is None or asked.common_name != current.common_name:
            raise ValidationFailed([FieldError("csr", "portal_test.name_mismatch")])
        now = ctx.clock.now()
        return ActionResult(
            EntitlementState.REISSUED,
            {"reissued_at": now.isoformat()},
            new_entitlement=FulfilmentResult(
                EntitlementState.ISSUED,
                data=certificate_data(csr, now),
                issued_at=now,
                expires_at=now + timedelta(days=VALIDITY_DAYS),
            ),
        )

    async def renewal_opens(self, ctx: Context, entitlement: EntitlementView) -> datetime | None:
        if entitlement.expires_at is None:
            return None
        return entitlement.expires_at - timedelta(days=RENEW_DAYS)


@hookimpl
def register_providers() -> list[type]:
    return [PortalTestProvider]


@hookimpl
def register_translations() -> dict[str, dict[str, str]]:
    return {
        "ja": {
            "portal_test.name_mismatch": "CSRのコモンネームが証明書と一致しません。",
            "portal_test.unknown_action": "この操作はできません。",
        },
        "en": {
            "portal_test.name_mismatch": "The CSR's common name differs from the certificate's.",
            "portal_test.unknown_action": "This action is not possible.",
        },
    }
