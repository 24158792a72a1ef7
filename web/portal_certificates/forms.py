"""How the portal offers each action a provider allows: which form, which field names.

The provider names its actions (``AllowedAction.action``); the portal knows a few by kind and
offers every other one as a button with a confirmation step:

- ``csr``: reissue with a new CSR (checked by ``core.certificates.csr.parse_csr``, field ``csr``)
- ``revoke``: a reason (``REVOCATION_REASONS``), then a confirmation step
- ``renew``: a link to the shop's product page (the next term is a new, paid order)
- ``apply``: the application for the certificate a voucher was paid for (``apply.py``)
- ``confirm``: anything else (cancel…), performed after a confirmation step
"""

from __future__ import annotations

from core.contracts.issuers import RevocationReason

FORM_KINDS: dict[str, str] = {
    "reissue": "csr",
    "reissue_certificate": "csr",
    "revoke": "revoke",
    "renew": "renew",
    "redeem": "apply",
}
"""Provider action names the portal knows by kind; any other is a ``confirm``."""

KNOWN_LABELS = frozenset(
    {
        "reissue", "revoke", "renew", "cancel", "redeem", "reissue_code", "cancel_order",
        "cancel_certificate", "reissue_certificate",
    }
)  # fmt: skip
"""Actions with their own label (``web.certs.action.<name>``); others say their name."""

REVOCATION_REASONS: tuple[RevocationReason, ...] = (
    RevocationReason.AFFILIATION_CHANGED,  # 内容変更
    RevocationReason.SUPERSEDED,  # 証明書切替
    RevocationReason.CESSATION_OF_OPERATION,  # サービス終了
    RevocationReason.KEY_COMPROMISE,  # 鍵危殆化
)
"""The seed's four reasons, in its order (labels ``web.certs.reason.<value>``)."""


def form_kind(action: str) -> str:
    return FORM_KINDS.get(action, "confirm")


def label_id(action: str) -> str:
    """The message id of an action's button: its own, or the generic one naming it."""
    if action in KNOWN_LABELS:
        return f"web.certs.action.{action}"
    if form_kind(action) == "csr":
        return "web.certs.action.reissue"
    return "web.certs.action.other"


def revocation_reason(value: str) -> RevocationReason | None:
    """The chosen reason, or None when it is not one the form offers."""
    return next((reason for reason in REVOCATION_REASONS if reason.value == value), None)
