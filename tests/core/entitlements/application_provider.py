"""A test-only ``Provider`` (code ``test_application``) shaped like a NACCS-style terminal
reissue: a paid line is an application under review with a receipt number and the applicant's
e-mail (``PENDING``), it completes when ``Applications.complete`` says so (a poll), and an issued
one may be reissued, which sends it back to review under the same receipt number.

Account config ``with_certificate``: the completed entitlement holds an X.509 certificate
(``data["certificate_pem"]``), as a provider with its own CA would store it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, ClassVar

from core.context import Context
from core.contracts.common import PluginAccount, ProductSpec
from core.contracts.providers import (
    ActionRequest,
    ActionResult,
    AllowedAction,
    EntitlementState,
    EntitlementView,
    FulfilmentResult,
    LineRequest,
)
from core.errors import FieldError
from core.hookspecs import hookimpl

CODE = "test_application"
POLL_AFTER = 60
APPLICANT = ("shinsei@example.jp", "申込 太郎")


class Applications:
    """The upstream's applications: receipt number → done or not."""

    done: ClassVar[dict[str, bool]] = {}

    @classmethod
    def complete(cls, receipt: str) -> None:
        cls.done[receipt] = True


class ApplicationProvider:
    code = CODE
    config_fields = ()

    def __init__(self, account: PluginAccount) -> None:
        self.account = account

    async def products(self, ctx: Context, config: dict[str, Any]) -> list[ProductSpec]:
        return []

    async def validate_line(self, ctx: Context, line: LineRequest) -> list[FieldError]:
        return []

    async def fulfil(self, ctx: Context, line: LineRequest) -> list[FulfilmentResult]:
        receipt = f"R{ctx.tenant.id}-{line.line_id}"
        Applications.done.setdefault(receipt, False)
        email, name = APPLICANT
        data = {"applicant_email": email, "applicant_name": name, "terminal": "NACCS-01"}
        return [
            FulfilmentResult(
                EntitlementState.PENDING, upstream_ref=receipt, data=data, poll_after=POLL_AFTER
            )
        ]

    async def poll(self, ctx: Context, entitlement: EntitlementView) -> FulfilmentResult:
        if not Applications.done.get(entitlement.upstream_ref or ""):
            return FulfilmentResult(EntitlementState.PENDING, poll_after=POLL_AFTER)
        now = ctx.clock.now()
        data = {"certificate_pem": self.account.config["pem"]} if self.account.config.get(
            "with_certificate"
        ) else {}  # fmt: skip
        return FulfilmentResult(
            EntitlementState.ISSUED, data=data, issued_at=now, expires_at=now + timedelta(365)
        )

    async def allowed_actions(
        self, ctx: Context, entitlement: EntitlementView
    ) -> list[AllowedAction]:
        if entitlement.state is EntitlementState.ISSUED:
            return [AllowedAction("reissue", "test_application.reissue.issued")]
        return []

    async def perform(
        self, ctx: Context, entitlement: EntitlementView, request: ActionRequest
    ) -> ActionResult:
        Applications.done[entitlement.upstream_ref or ""] = False
        return ActionResult(EntitlementState.PENDING, {"reason": request.params.get("reason")})

    async def renewal_opens(self, ctx: Context, entitlement: EntitlementView) -> datetime | None:
        return None


@hookimpl
def register_providers() -> list[type]:
    return [ApplicationProvider]
