"""``DigiCertProvider``: the ``Provider`` contract over the voucher engine and redemption.

Built per tenant as ``DigiCertProvider(account)`` from its ``digicert`` provider account; every
method runs inside the caller's tenant scope. Two kinds of entitlement, told apart by
``data["kind"]``:

- ``voucher_code``: one code per quantity unit of a paid line (``fulfil``), ``upstream_ref`` the
  code's value; ``data`` has ``code_id``, ``voucher_order_id``, the code, both links, the FQDN
  and wildcard counts and ``redeem_by``. Actions: ``redeem``, ``reissue_code``, ``cancel_order``.
- ``certificate``: what ``perform(redeem)`` starts (``new_entitlement``), ``upstream_ref`` the
  upstream order id; ``data`` has ``redemption_id``. Actions: ``cancel_certificate``,
  ``reissue_certificate``.

``allowed_actions`` reads our own tables only (never the upstream): every page render calls it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from typing import Any, ClassVar
from urllib.parse import urlsplit

from core.context import Context
from core.contracts.common import (
    ConfigField,
    ConnectionCheck,
    ConnectionProblem,
    PluginAccount,
    ProductSpec,
)
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
from plugins.digicert import redemption
from plugins.digicert.client import DEFAULT_BASE_URL, CertCentralClient
from plugins.digicert.contracts import price_table, product_by_code
from plugins.digicert.errors import (
    AuthenticationFailed,
    CertCentralError,
    InvalidRequest,
    NotFound,
    NotTheApi,
    RetriesExhausted,
    TransportFailure,
    UpstreamNotAllowed,
)
from plugins.digicert.retry import RetryPolicy
from plugins.digicert.upstream import PROVIDER_CODE, client_for
from plugins.digicert.views import (
    CodeView,
    cancel_until,
    cancellable,
    code_view,
    get_code,
    order_codes,
    order_row,
)
from plugins.digicert.vouchers import (
    VoucherLineIn,
    VoucherOrderIn,
    cancel_voucher_order,
    line_errors,
    place_voucher_order,
    reissue_code,
)

RENEWAL_WINDOW = timedelta(days=90)
POLL_AFTER = 60
CODE_STATES = {
    "active": EntitlementState.ACTIVE,
    "used": EntitlementState.USED,
    "cancelled": EntitlementState.CANCELLED,
    "reissued": EntitlementState.REISSUED,
    "expired": EntitlementState.EXPIRED,
}
CERTIFICATE_STATES = {
    "pending": EntitlementState.PENDING,
    "issued": EntitlementState.ISSUED,
    "cancelled": EntitlementState.CANCELLED,
    "failed": EntitlementState.CANCELLED,
}
LINE_FIELDS = {"years": "term_months"}
MAX_ADDITIONAL_FQDNS = 249
"""A voucher holds at most 250 FQDNs: the first (in the base price) and 249 additional."""
KNOWN_PRODUCTS: dict[str, tuple[str, str, str]] = {
    "ssl_basic": ("ベーシックOV", "Basic OV", "ov"),
    "ssl_ev_basic": ("ベーシックEV", "Basic EV", "ev"),
    "ssl_securesite": ("セキュア・サーバID", "Secure Site OV", "ov"),
    "ssl_ev_securesite": ("セキュア・サーバID EV", "Secure Site EV", "ev"),
    "ssl_dv_geotrust": ("GeoTrust DV", "GeoTrust Standard DV", "dv"),
}
"""CertCentral product name ids with their names in the console and shop (name ja, name en,
validation level); a product not listed is named as its price table row names it."""


CHECK_TIMEOUT = 10.0


def connection_problem(exc: CertCentralError, url: str, host: str) -> ConnectionCheck:
    """The test connection's verdict on one client error."""
    if isinstance(exc, RetriesExhausted):
        exc = exc.last
    params = {"url": url, "host": host, "status": str(exc.status or "")}
    if isinstance(exc, UpstreamNotAllowed):
        return ConnectionCheck(ConnectionProblem.NOT_ALLOWED, {**params, "reason": exc.reason})
    if isinstance(exc, TransportFailure):
        return ConnectionCheck(ConnectionProblem.UNREACHABLE, params)
    if isinstance(exc, AuthenticationFailed):
        return ConnectionCheck(ConnectionProblem.REFUSED_KEY, params)
    if isinstance(exc, NotFound | NotTheApi | InvalidRequest) or exc.status in (405, 406):
        return ConnectionCheck(ConnectionProblem.WRONG_URL, params)
    return ConnectionCheck(ConnectionProblem.UPSTREAM_ERROR, params)


def validation_of(name: str) -> str:
    """The validation level a product name states (``EV``, ``OV``, ``DV``), else OV."""
    words = name.upper().replace("-", " ").split()
    return next((level.lower() for level in ("EV", "DV", "OV") if level in words), "ov")


def redeem_by_end(day: Any) -> datetime:
    """A code can be redeemed through the whole redeem-by day (UTC, as the service checks)."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=UTC)


def code_result(code: CodeView) -> FulfilmentResult:
    return FulfilmentResult(
        state=CODE_STATES.get(code.status, EntitlementState.ACTIVE),
        upstream_ref=code.value,
        data={
            "kind": "voucher_code",
            "code_id": code.id,
            "voucher_order_id": code.voucher_order_id,
            "code": code.value,
            "redeem_link": code.redeem_link,
            "renewal_redeem_link": code.renewal_redeem_link,
            "no_of_fqdns": code.no_of_fqdns,
            "no_of_wildcards": code.no_of_wildcards,
            "validity_years": code.validity_years,
            "redeem_by": code.redeem_by.isoformat(),
            "status": code.status,
        },
        issued_at=code.created_at,
        expires_at=redeem_by_end(code.redeem_by),
    )


def split_chain(pem_chain: str) -> tuple[str, str]:
    """(leaf, chain) of the stored PEM bundle (leaf first, then intermediates and root)."""
    end = "-----END CERTIFICATE-----"
    if end not in pem_chain:
        return "", ""
    leaf, _, rest = pem_chain.partition(end)
    return leaf.strip() + "\n" + end + "\n", rest.strip() + "\n" if rest.strip() else ""


def certificate_result(
    view: redemption.RedemptionView, dcv_method: str | None = None
) -> FulfilmentResult:
    """A certificate request as an entitlement; once issued its data holds the certificate as
    ``certificate_pem`` and ``chain_pem`` (the portal's downloads read those)."""
    state = CERTIFICATE_STATES.get(view.status, EntitlementState.PENDING)
    leaf, chain = split_chain(view.pem_chain) if view.status == "issued" else ("", "")
    data: dict[str, Any] = {
        "kind": "certificate",
        "redemption_id": view.id,
        "code_id": view.code_id,
        "status": view.status,
        "common_name": view.common_name,
        "dns_names": list(view.dns_names),
        "dcv_random_value": view.dcv_random_value,
        "certificate_pem": leaf,
        "chain_pem": chain,
    }
    if dcv_method:
        data["dcv_method"] = dcv_method
    return FulfilmentResult(
        state=state,
        upstream_ref=str(view.upstream_order_id) if view.upstream_order_id else None,
        data=data,
        poll_after=POLL_AFTER if state == EntitlementState.PENDING else None,
        issued_at=view.issued_at,
        expires_at=_valid_till(view.valid_till),
    )


def _valid_till(text: str) -> datetime | None:
    if not text:
        return None
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def not_allowed(action: str) -> ValidationFailed:
    return ValidationFailed(
        [FieldError("action", "digicert.action.not_allowed", {"action": action})]
    )


class DigiCertProvider:
    """DigiCert CertCentral Partner-style vouchers (see ``docs/digicert.md``)."""

    code: ClassVar[str] = PROVIDER_CODE
    config_fields: ClassVar[tuple[ConfigField, ...]] = (
        ConfigField("base_url", "digicert.config.base_url", kind="url", required=False),
        ConfigField("api_key", "digicert.config.api_key", kind="secret", secret=True),
    )

    def __init__(
        self,
        account: PluginAccount,
        client_factory: Callable[[PluginAccount], CertCentralClient] = client_for,
    ) -> None:
        self.account = account
        self._client_factory = client_factory

    def _client(self) -> CertCentralClient:
        return self._client_factory(self.account)

    # -- test connection -----------------------------------------------------------------

    async def test_connection(self) -> ConnectionCheck:
        """One authenticated read against the account's base URL, tried once with a short
        timeout, and what failed in words the tenant can act on."""
        url = str(self.account.config.get("base_url") or DEFAULT_BASE_URL)
        host = urlsplit(url).hostname or url
        if not self.account.credentials.get("api_key"):
            return ConnectionCheck(ConnectionProblem.NOT_CONFIGURED, {"field": "api_key"})
        client = CertCentralClient(
            self.account.credentials["api_key"], url, timeout=CHECK_TIMEOUT,
            retry=RetryPolicy(attempts=1), egress=self.account.egress,
        )  # fmt: skip
        try:
            async with client:
                await client.check_access()
        except CertCentralError as exc:
            return connection_problem(exc, url, host)
        return ConnectionCheck(params={"url": url})

    # -- catalog and checkout -------------------------------------------------------

    async def products(self, ctx: Context, config: dict[str, Any]) -> list[ProductSpec]:
        """The contract's price table: each product with the terms it has an offered price for,
        named as the tenant's catalog names it, else as ``KNOWN_PRODUCTS`` or the price table
        does; ``extra["wholesale_name"]`` is the price table's product name."""
        table = await price_table(ctx)
        if table is None:
            return []
        specs = []
        for prices in table.products:
            code = prices.product_code or prices.product_name
            terms = tuple(sorted(t.term_months for t in prices.terms if t.offered_price))
            if not code or not terms:
                continue
            product = await product_by_code(ctx, table.provider_account_id, code)
            name_ja, name_en, validation = KNOWN_PRODUCTS.get(
                code, (prices.product_name, prices.product_name, validation_of(prices.product_name))
            )
            if product is not None:
                name_ja, name_en, validation = product.name_ja, product.name_en, product.validation
            specs.append(
                ProductSpec(
                    code=code, name_ja=name_ja, name_en=name_en, kind="ssl",
                    validation=validation, terms_months=terms,  # type: ignore[arg-type]
                    max_fqdns=MAX_ADDITIONAL_FQDNS, max_wildcards=250, accepts_csr=True,
                    extra={"wholesale_name": prices.product_name},
                )
            )  # fmt: skip
        return specs

    async def validate_line(self, ctx: Context, line: LineRequest) -> list[FieldError]:
        """Quantity 1 to 1000, 1 to 6 years (whole years), additional FQDNs 0 to 249 (250
        names with the first), wildcards 0 to 250."""
        years = line.term_months // 12 if line.term_months % 12 == 0 else 0
        errors = [e for e in line_errors(self._voucher_line(line, years)) if e.field != "fqdns"]
        if not 0 <= line.fqdns <= MAX_ADDITIONAL_FQDNS:
            errors.append(
                FieldError(
                    "fqdns", "digicert.line.fqdns_out_of_range",
                    {"min": 0, "max": MAX_ADDITIONAL_FQDNS},
                )
            )  # fmt: skip
        return [
            FieldError(LINE_FIELDS.get(e.field, e.field), e.message_id, e.params) for e in errors
        ]

    @staticmethod
    def _voucher_line(line: LineRequest, years: int) -> VoucherLineIn:
        """An order line's ``fqdns`` counts the names *beyond the first* (its price is base +
        each additional FQDN); a voucher's counts every FQDN, the first included. So a line
        paid for 1 additional FQDN is a voucher for 2 FQDNs (see ``voucher_unit_price``)."""
        return VoucherLineIn(
            line.product_code, line.quantity, years, line.fqdns + 1, line.wildcards
        )

    # -- fulfilment -------------------------------------------------------------------

    async def fulfil(self, ctx: Context, line: LineRequest) -> list[FulfilmentResult]:
        """Place the voucher order upstream and store its codes, once per
        ``ctx.idempotency_key``; a retry returns the same codes. Upstream failures propagate,
        so the worker's bounded retries run it again under the same key."""
        errors = await self.validate_line(ctx, line)
        if errors:
            raise ValidationFailed(errors)
        request = VoucherOrderIn(
            payment_method=str(line.options.get("payment_method", "bank_transfer")),
            lines=(self._voucher_line(line, line.term_months // 12),),
            customer_name=str(line.options.get("customer_name", "")),
            notes=f"order line {line.line_id}" if line.line_id is not None else "",
        )
        async with self._client() as api:
            order = await place_voucher_order(ctx, api, request)
        return [code_result(code) for code in order.codes]

    async def poll(self, ctx: Context, entitlement: EntitlementView) -> FulfilmentResult:
        if entitlement.data.get("kind") == "certificate":
            async with self._client() as api:
                view = await redemption.poll(ctx, api, int(entitlement.data["redemption_id"]))
            return certificate_result(view)
        return code_result(await self._code(ctx, entitlement))

    async def _code(self, ctx: Context, entitlement: EntitlementView) -> CodeView:
        return code_view(await get_code(ctx, int(entitlement.data["code_id"])))

    # -- actions ----------------------------------------------------------------------

    async def allowed_actions(
        self, ctx: Context, entitlement: EntitlementView
    ) -> list[AllowedAction]:
        now = ctx.clock.now()
        if entitlement.data.get("kind") == "certificate":
            view = await redemption.get_redemption(ctx, int(entitlement.data["redemption_id"]))
            actions = []
            if view.status == "pending":
                actions.append(
                    AllowedAction("cancel_certificate", "digicert.cancel_certificate.pending")
                )
            if view.status == "issued" and view.issued_at is not None:
                until = cancel_until(ctx, view.issued_at)
                if now < until:
                    actions.append(
                        AllowedAction(
                            "cancel_certificate",
                            "digicert.cancel_certificate.within_30_days",
                            until,
                        )
                    )
                actions.append(
                    AllowedAction("reissue_certificate", "digicert.reissue_certificate.issued")
                )
            return actions
        code = await self._code(ctx, entitlement)
        if code.status != "active":
            return []
        actions = []
        until = redeem_by_end(code.redeem_by)
        if now < until:
            actions.append(AllowedAction("redeem", "digicert.redeem.before_redeem_by", until))
        actions.append(AllowedAction("reissue_code", "digicert.reissue_code.active"))
        row = await order_row(ctx, code.voucher_order_id)
        if cancellable(ctx, row, await order_codes(ctx, row["id"])):
            actions.append(
                AllowedAction(
                    "cancel_order", "digicert.cancel_order.within_30_days_all_active",
                    cancel_until(ctx, row["created_at"]),
                )
            )  # fmt: skip
        return actions

    async def perform(
        self, ctx: Context, entitlement: EntitlementView, request: ActionRequest
    ) -> ActionResult:
        """Carry out an action ``allowed_actions`` lists now; anything else is refused."""
        allowed = {a.action for a in await self.allowed_actions(ctx, entitlement)}
        if request.action not in allowed:
            raise not_allowed(request.action)
        params = request.params
        async with self._client() as api:
            if request.action == "redeem":
                dcv_method = str(params.get("dcv_method", "http-token"))
                view = await redemption.redeem(
                    ctx, api, str(entitlement.data["code"]), params.get("customer_id"),
                    str(params.get("csr", "")), str(params.get("organization_name", "")),
                    dcv_method,
                )  # fmt: skip
                return ActionResult(
                    EntitlementState.USED,
                    {"redemption_id": view.id, "status": "used"},
                    certificate_result(view, dcv_method),
                )
            if request.action == "reissue_code":
                code_id = int(entitlement.data["code_id"])
                order = await reissue_code(ctx, api, code_id)
                fresh = next(c for c in order.codes if c.replaces_code_id == code_id)
                return ActionResult(
                    EntitlementState.REISSUED, {"new_code_id": fresh.id}, code_result(fresh)
                )
            if request.action == "cancel_order":
                order_id = int(entitlement.data["voucher_order_id"])
                order = await cancel_voucher_order(
                    ctx, api, order_id, str(params.get("reason", ""))
                )
                return ActionResult(
                    EntitlementState.CANCELLED,
                    {
                        "voucher_order_id": order_id,
                        "cancelled_code_ids": [c.id for c in order.codes],
                    },
                )
            redemption_id = int(entitlement.data["redemption_id"])
            if request.action == "cancel_certificate":
                view = await redemption.cancel_certificate(ctx, api, redemption_id)
                return ActionResult(EntitlementState.CANCELLED, {"code_id": view.code_id})
            view = await redemption.reissue_certificate(
                ctx, api, redemption_id, str(params.get("csr", ""))
            )
            result = certificate_result(view)
            return ActionResult(result.state, result.data)

    async def renewal_opens(self, ctx: Context, entitlement: EntitlementView) -> datetime | None:
        """None for a code; for a certificate, 90 days before it expires (an assumption)."""
        if entitlement.data.get("kind") != "certificate" or entitlement.expires_at is None:
            return None
        return entitlement.expires_at - RENEWAL_WINDOW
