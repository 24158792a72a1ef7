"""The ``card`` PaymentAdapter: Stripe PaymentIntents with the tenant's own keys."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import stripe

from core.context import Context
from core.contracts.common import ConfigField, PluginAccount, Yen
from core.contracts.payments import (
    PaymentOutcome,
    PaymentRequest,
    PaymentStart,
    PaymentState,
    RefundOutcome,
)
from core.settings import STRIPE_API_BASE, stripe_api_base
from plugins.card.client import (
    CardProviderError,
    CardRequestRefused,
    idempotency_key,
    make_client,
    refused_before_creation,
)
from plugins.card.intents import (
    expandable_id,
    outcomes_from_intent,
    refund_outcomes,
    start_from_intent,
)

CURRENCY = "jpy"  # zero-decimal: the amount is yen as-is
PAYMENT_EVENTS = (
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "payment_intent.canceled",
    "payment_intent.processing",
    "payment_intent.requires_action",
)
REFUND_EVENTS = ("charge.refunded", "charge.refund.updated", "refund.updated", "refund.created")
ATTEMPT_METADATA = "shomei_attempt"
"""The PaymentIntent metadata key holding ``PaymentRequest.attempt`` (``find_started``)."""
MAX_LISTED = 10_000
"""How many intents ``find_started`` reads at most from a processor without search."""
REFUND_STATES = {"succeeded": None, "pending": PaymentState.PENDING, "failed": PaymentState.FAILED}


@dataclass(frozen=True)
class SavedMethod:
    """A card saved for off-session charges: ``ref`` is ``cus_…/pm_…``."""

    customer: str
    payment_method: str

    @property
    def ref(self) -> str:
        return f"{self.customer}/{self.payment_method}"

    @classmethod
    def parse(cls, ref: str) -> SavedMethod:
        customer, _, method = ref.partition("/")
        if not method:
            return cls(customer="", payment_method=customer)
        return cls(customer=customer, payment_method=method)


@dataclass(frozen=True)
class CardSetup:
    """The result of saving a card: ``saved_method_ref`` once the SetupIntent succeeded."""

    state: PaymentState
    setup_intent: str
    client_secret: str | None
    saved_method_ref: str | None


def _plain(obj: Any) -> dict[str, Any]:
    return obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)


class CardAdapter:
    code: ClassVar[str] = "card"
    supports_recurring: ClassVar[bool] = True
    config_fields: ClassVar[tuple[ConfigField, ...]] = (
        ConfigField("publishable_key", "payments.card.publishable_key"),
        ConfigField("secret_key", "payments.card.secret_key", kind="secret", secret=True),
        ConfigField("webhook_secret", "payments.card.webhook_secret", kind="secret", secret=True),
    )

    def __init__(self, account: PluginAccount, api_base: str | None = None) -> None:
        """``api_base``: where the Stripe calls go, by default the deployment's setting
        ``SHOMEI_STRIPE_API_BASE`` (Stripe's own unless ``shomei up`` or a test points it at
        localstripe); deliberately never a tenant setting."""
        self.account = account
        self.api_base = (api_base or stripe_api_base()).rstrip("/")
        self.client = make_client(account.credentials.get("secret_key", ""), self.api_base)

    @property
    def sandbox(self) -> bool:
        """True when the calls go to a Stripe stand-in (localstripe), not to Stripe."""
        return self.api_base != STRIPE_API_BASE

    @property
    def webhook_secret(self) -> str:
        return self.account.credentials.get("webhook_secret", "")

    def _metadata(self, ctx: Context, request: PaymentRequest) -> dict[str, str]:
        metadata = {
            "tenant_id": str(ctx.tenant.id),
            "payable_type": request.payable_type,
            "payable_id": str(request.payable_id),
            "customer_id": str(request.customer_id),
        }
        if request.attempt:
            metadata[ATTEMPT_METADATA] = request.attempt
        return metadata

    def _intent_params(self, ctx: Context, request: PaymentRequest) -> dict[str, Any]:
        params: dict[str, Any] = {
            "amount": request.amount,
            "currency": CURRENCY,
            "payment_method_types": ["card"],
            "metadata": self._metadata(ctx, request),
        }
        if request.description:
            params["description"] = request.description
        return params

    async def start(self, ctx: Context, request: PaymentRequest) -> PaymentStart:
        """Without a method: an unconfirmed intent whose client secret Stripe.js confirms.
        With ``saved_method_ref`` (a ``pm_…`` from Stripe.js or a saved ``cus_…/pm_…``):
        create and confirm at once; 3-D Secure answers REQUIRES_ACTION."""
        params = self._intent_params(ctx, request)
        if request.saved_method_ref:
            saved = SavedMethod.parse(request.saved_method_ref)
            params.update(payment_method=saved.payment_method, confirm=True)
            if saved.customer:
                params["customer"] = saved.customer
            if request.return_url and not self.sandbox:
                # localstripe refuses return_url (and answers 3-D Secure with use_stripe_sdk):
                # in the sandbox the page finishes 3-D Secure and goes to the address itself
                params["return_url"] = request.return_url
        return await self._create_intent(ctx, params, "payment_intent")

    async def charge_saved(self, ctx: Context, request: PaymentRequest) -> PaymentStart:
        """Off-session charge of a saved card (automatic renewal). A bank asking for
        authentication gives REQUIRES_ACTION: the customer is sent a link to finish it."""
        if not request.saved_method_ref:
            raise CardProviderError("charge_saved needs the saved method (cus_…/pm_…)")
        saved = SavedMethod.parse(request.saved_method_ref)
        params = self._intent_params(ctx, request)
        params.update(payment_method=saved.payment_method, confirm=True, off_session=True)
        if saved.customer:
            params["customer"] = saved.customer
        return await self._create_intent(ctx, params, "payment_intent_off_session")

    async def _create_intent(
        self, ctx: Context, params: dict[str, Any], operation: str
    ) -> PaymentStart:
        """Create (and maybe confirm) an intent, once: no automatic retry by the client (a
        processor ignoring the idempotency key would start a second intent); a 4xx raises
        ``CardRequestRefused`` (nothing created), any other failure ``CardProviderError``
        (perhaps created: look with ``find_started`` before trying again)."""
        options = {"idempotency_key": idempotency_key(ctx, operation), "max_network_retries": 0}
        try:
            intent = await self.client.v1.payment_intents.create_async(params, options)  # type: ignore[arg-type]
        except stripe.CardError as exc:
            return self._declined(exc)
        except stripe.StripeError as exc:
            kind = CardRequestRefused if refused_before_creation(exc) else CardProviderError
            raise kind(f"Stripe refused the payment: {exc.user_message or exc}") from None
        return start_from_intent(_plain(intent))

    async def find_started(self, ctx: Context, attempt: str) -> PaymentStart | None:
        """The intent created for ``attempt`` (``PaymentRequest.attempt``), if any: by Stripe's
        search (indexed within about a minute; the stable Stripe idempotency key covers a
        second create within that minute), or, where the processor has no search
        (localstripe), by reading its intents. The oldest when there are several."""
        query = f"metadata['{ATTEMPT_METADATA}']:'{attempt}'"
        try:
            try:
                found = await self.client.v1.payment_intents.search_async(
                    {"query": query, "limit": 100}
                )
                intents = [_plain(intent) for intent in found.data]
            except stripe.InvalidRequestError:  # no search here
                intents = await self._listed()
        except stripe.StripeError as exc:
            reason = exc.user_message or exc
            raise CardProviderError(f"cannot look up {attempt}: {reason}") from None
        mine = [i for i in intents if (i.get("metadata") or {}).get(ATTEMPT_METADATA) == attempt]
        if not mine:
            return None
        return start_from_intent(min(mine, key=lambda i: (i.get("created") or 0, i["id"])))

    async def _listed(self) -> list[dict[str, Any]]:
        page = await self.client.v1.payment_intents.list_async({"limit": 100})
        intents: list[dict[str, Any]] = []
        async for intent in page.auto_paging_iter():
            intents.append(_plain(intent))
            if len(intents) >= MAX_LISTED:
                break
        return intents

    async def started(self, ctx: Context, reference: str) -> PaymentStart:
        """How the payer continues the intent ``reference`` now (client secret, redirect)."""
        return start_from_intent(await self._intent(reference))

    @staticmethod
    def _declined(exc: stripe.CardError) -> PaymentStart:
        error = exc.error
        intent = _plain(error.payment_intent) if error and error.payment_intent else {}
        reference = intent.get("id") or f"declined:{exc.request_id or 'unknown'}"
        if exc.code == "authentication_required" and intent:
            return PaymentStart(
                PaymentState.REQUIRES_ACTION, reference, client_secret=intent.get("client_secret")
            )
        return PaymentStart(PaymentState.FAILED, reference)

    async def confirm(self, ctx: Context, evidence: dict[str, Any]) -> list[PaymentOutcome]:
        """``{"event": <verified event dict>}`` from a webhook, or ``{"payment_intent": "pi_…"}``
        from the return page. The intent is always fetched again from Stripe, so events that
        arrive late or out of order report the intent's state now, never a stale one."""
        if "payment_intent" in evidence:
            return outcomes_from_intent(await self._intent(evidence["payment_intent"]))
        event = evidence["event"]
        kind = event.get("type", "")
        obj = (event.get("data") or {}).get("object") or {}
        if kind in PAYMENT_EVENTS:
            return outcomes_from_intent(await self._intent(obj["id"]))
        if kind in REFUND_EVENTS:
            intent_id = expandable_id(obj.get("payment_intent"))
            if not intent_id:
                return []
            intent = await self._intent(intent_id)
            return refund_outcomes(intent, await self._refunds(intent_id))
        return []  # setup_intent.* and anything else: no payment outcome

    async def _intent(self, intent_id: str) -> dict[str, Any]:
        try:
            return _plain(await self.client.v1.payment_intents.retrieve_async(intent_id))
        except stripe.StripeError as exc:
            raise CardProviderError(f"cannot read {intent_id}: {exc.user_message or exc}") from None

    async def _refunds(self, intent_id: str) -> list[dict[str, Any]]:
        found = await self.client.v1.refunds.list_async({"payment_intent": intent_id, "limit": 100})
        return [_plain(refund) for refund in found.data]

    async def refund(self, ctx: Context, reference: str, amount: Yen) -> RefundOutcome:
        """Refund ``amount`` of the intent ``reference``: REFUNDED once the whole charge is
        refunded, PARTIAL while some remains, PENDING or FAILED as Stripe reports."""
        options = {"idempotency_key": idempotency_key(ctx, f"refund:{reference}")}
        try:
            refund = _plain(
                await self.client.v1.refunds.create_async(
                    {"payment_intent": reference, "amount": amount}, options
                )
            )
        except stripe.StripeError as exc:
            raise CardProviderError(
                f"Stripe refused the refund: {exc.user_message or exc}"
            ) from None
        state = REFUND_STATES.get(refund.get("status", ""), PaymentState.PENDING)
        if state is None:
            state = await self._refund_state(reference)
        return RefundOutcome(reference=refund["id"], amount=int(refund["amount"]), state=state)

    async def _refund_state(self, intent_id: str) -> PaymentState:
        intent = await self._intent(intent_id)
        charge_id = expandable_id(intent.get("latest_charge"))
        if not charge_id:
            return PaymentState.REFUNDED
        charge = _plain(await self.client.v1.charges.retrieve_async(charge_id))
        refunded = int(charge.get("amount_refunded") or 0)
        return PaymentState.REFUNDED if refunded >= int(charge["amount"]) else PaymentState.PARTIAL

    async def save_card(
        self,
        ctx: Context,
        customer_id: int,
        payment_method: str | None = None,
        stripe_customer: str | None = None,
    ) -> CardSetup:
        """Save a card without charging (SetupIntent, usage off_session): a Stripe customer is
        created for ``customer_id`` unless given, then the intent is confirmed with
        ``payment_method`` when there is one (otherwise Stripe.js confirms the client secret)."""
        try:
            if not stripe_customer:
                customer = await self.client.v1.customers.create_async(
                    {
                        "metadata": {
                            "tenant_id": str(ctx.tenant.id),
                            "customer_id": str(customer_id),
                        }
                    },
                    {"idempotency_key": idempotency_key(ctx, "customer")},
                )
                stripe_customer = customer.id
            setup = await self.client.v1.setup_intents.create_async(
                {
                    "customer": stripe_customer,
                    "usage": "off_session",
                    "payment_method_types": ["card"],
                    "metadata": {"tenant_id": str(ctx.tenant.id), "customer_id": str(customer_id)},
                },
                {"idempotency_key": idempotency_key(ctx, "setup_intent")},
            )
            if payment_method:
                setup = await self.client.v1.setup_intents.confirm_async(
                    setup.id,
                    {"payment_method": payment_method},
                    {"idempotency_key": idempotency_key(ctx, "setup_intent_confirm")},
                )
        except stripe.CardError:
            return CardSetup(PaymentState.FAILED, "", None, None)
        except stripe.StripeError as exc:
            raise CardProviderError(f"Stripe refused the card: {exc.user_message or exc}") from None
        data = _plain(setup)
        state = {
            "succeeded": PaymentState.SUCCEEDED,
            "requires_action": PaymentState.REQUIRES_ACTION,
        }
        method = expandable_id(data.get("payment_method"))
        succeeded = data.get("status") == "succeeded" and method
        return CardSetup(
            state=state.get(data.get("status", ""), PaymentState.PENDING),
            setup_intent=data["id"],
            client_secret=data.get("client_secret"),
            saved_method_ref=SavedMethod(stripe_customer, method).ref if succeeded else None,
        )
