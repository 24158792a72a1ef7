"""OpenAPI examples of the wallet API routes (``plugins/wallet/api.py``); the helpers ``ok``
and ``body`` are ``web.api.examples``'."""

from __future__ import annotations

WALLET = {
    "id": 21, "wallet_id": "W0000000021", "customer_id": 7, "linked": True, "balance": 31_800,
    "history": [
        {"transaction_id": 90, "kind": "topup", "amount": 100_000, "source_adapter": "card",
         "payable_type": "", "payable_id": 0, "created_at": "2026-11-01T10:00:00Z"},
        {"transaction_id": 91, "kind": "payment", "amount": -68_200, "source_adapter": "wallet",
         "payable_type": "order", "payable_id": 1042, "created_at": "2026-11-22T09:05:00Z"},
    ],
}  # fmt: skip
OPENED = {**WALLET, "linked": False, "balance": 0, "history": []}
OPEN_IN = {"password": "wallet-pass-2026"}
TOPUP_IN = {
    "method": "card", "amount": 50_000, "payment_method": "pm_1QExample",
    "return_url": "https://panel.example.jp/wallet",
}  # fmt: skip
TOPUP = {
    "method": "card", "status": "credited", "amount": 50_000, "balance": 81_800,
    "payment_intent": "pi_3QExample", "client_secret": None, "redirect_url": None,
    "instructions": None,
}  # fmt: skip
START_IN = {"order_id": 1042}
PAYMENT = {"payment_id": 55, "amount": 68_200, "linked": False, "redirect_url": None}
AUTHENTICATE_IN = {"wallet_id": "W0000000021", "password": "wallet-pass-2026"}
CONFIRM_IN = {"confirmed_amount": 68_200, "wallet_id": "", "password": ""}
CONFIRMED = {
    "payment_id": 55, "status": "succeeded", "reference": "wallet:55", "order_id": 1042,
    "balance": 31_800, "order_paid": True, "recorded_at": "2026-11-22T09:05:00Z",
}  # fmt: skip
