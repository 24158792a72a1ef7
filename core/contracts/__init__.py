"""Typed contracts between the order engine and its plugins.

pluggy is the registry (``core.hookspecs``); these protocols are what a registered object must
be. ``core`` calls a chosen object's methods directly, always with one ``core.context.Context``.
"""

from core.contracts.common import ConfigField, PluginAccount, Price, ProductSpec, Yen
from core.contracts.issuers import (
    CertificateRequest,
    IssuanceResult,
    IssuanceState,
    IssuedCertificate,
    Issuer,
    RevocationReason,
)
from core.contracts.payments import (
    PaymentAdapter,
    PaymentOutcome,
    PaymentRequest,
    PaymentStart,
    PaymentState,
    RefundOutcome,
)
from core.contracts.providers import (
    ActionRequest,
    ActionResult,
    AllowedAction,
    EntitlementState,
    EntitlementView,
    FulfilmentResult,
    LineRequest,
    Provider,
)

__all__ = [
    "ActionRequest",
    "ActionResult",
    "AllowedAction",
    "CertificateRequest",
    "ConfigField",
    "EntitlementState",
    "EntitlementView",
    "FulfilmentResult",
    "IssuanceResult",
    "IssuanceState",
    "IssuedCertificate",
    "Issuer",
    "LineRequest",
    "PaymentAdapter",
    "PaymentOutcome",
    "PaymentRequest",
    "PaymentStart",
    "PaymentState",
    "PluginAccount",
    "Price",
    "ProductSpec",
    "Provider",
    "RefundOutcome",
    "RevocationReason",
    "Yen",
]
