"""OpenAPI examples of the API's routes (``tests/web/test_openapi_examples.py`` requires one for
every request body and success response under ``/api/v1``).

``ok(model, value)`` documents a route's success response with an example (Litestar's
``ResponseSpec`` for the route's own status code replaces the generated one); ``body(value)``
is the ``Body`` of a request body parameter. The values below are those of the core API;
plugins keep theirs next to their routes (``plugins/<name>/api_examples.py``).
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from litestar.enums import MediaType, RequestEncodingType
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Example
from litestar.params import Body


def ok(
    model: Any,
    value: Any,
    *,
    status: int = 200,
    media_type: MediaType | str = MediaType.JSON,
    description: str = "",
) -> dict[int, ResponseSpec]:
    """The ``responses=`` of a route answering ``status`` with ``model``, shown by ``value``,
    and its refusals (``errors()``)."""
    spec = ResponseSpec(
        data_container=model,
        generate_examples=False,
        description=description or HTTPStatus(status).phrase,
        media_type=media_type,
        examples=[Example(summary="Example", value=value)],
    )
    return {**errors(), status: spec}


REFUSALS = (400, 401, 403, 404, 413, 422, 429)


def errors() -> dict[int, ResponseSpec]:
    """Every refusal of the API, each an ``ErrorsOut`` (``web.api.errors``)."""
    from web.api.errors import ErrorsOut

    example = {"errors": [{"field": "customer_id", "code": "api.unknown_customer",
                           "message": "No such customer in this account."}]}  # fmt: skip
    return {
        code: ResponseSpec(
            data_container=ErrorsOut,
            generate_examples=False,
            description=HTTPStatus(code).phrase,
            examples=[Example(summary="Refused", value=example)],
        )
        for code in REFUSALS
    }


def body(value: Any, *, description: str = "") -> Any:
    """A JSON request body's ``Body`` with one example."""
    return Body(
        media_type=RequestEncodingType.JSON,
        description=description or None,
        examples=[Example(summary="Example", value=value)],
    )


LINE_IN = {"product_id": 12, "quantity": 1, "term_months": 24, "fqdns": 2, "wildcards": 0}
PRICED_LINE = {
    "kind": "product", "product_id": 12, "product_code": "ssl_ov", "provider_code": "digicert",
    "provider_account_id": 3, "name_ja": "企業認証SSL", "name_en": "OV SSL", "quantity": 1,
    "term_months": 24, "fqdns": 2, "wildcards": 0, "unit_price": 62_000, "amount": 62_000,
    "tax_rate": 10,
}  # fmt: skip
TAX_TOTALS = [{"rate": 10, "base": 62_000, "tax": 6_200}]
ORDER = {
    "id": 1042, "state": "awaiting_payment", "customer_id": 7, "payment_method": "bank_transfer",
    "quote_id": None, "lines": [PRICED_LINE], "subtotal": 62_000, "tax": 6_200, "total": 68_200,
    "tax_rounding": "floor", "tax_totals": TAX_TOTALS,
    "created_at": "2026-11-22T09:00:00Z", "updated_at": "2026-11-22T09:00:00Z",
    "number": "ORD-2026-000123",
}  # fmt: skip
ORDER_IN = {"payment_method": "bank_transfer", "customer_id": 7, "lines": [LINE_IN]}
QUOTE_IN = {
    "lines": [LINE_IN], "customer_id": 7, "title": "SSL証明書 更新のお見積り",
    "memo": "社内用メモ (印刷されません)", "credit_amount": None,
}  # fmt: skip
QUOTE = {
    "id": 88, "kind": "quote", "customer_id": 7, "title": "SSL証明書 更新のお見積り",
    "memo": "社内用メモ (印刷されません)", "saved_on": "2026-11-22", "valid_until": "2026-12-22",
    "lines": [PRICED_LINE], "subtotal": 62_000, "tax": 6_200, "total": 68_200,
    "tax_totals": TAX_TOTALS, "order_id": None,
}  # fmt: skip
PRINTABLE_QUOTE = {
    "number": 88, "kind": "quote", "title": "SSL証明書 更新のお見積り", "customer_id": 7,
    "saved_on": "2026-11-22", "valid_until": "2026-12-22",
    "lines": [{"name": "企業認証SSL", "quantity": 1, "term_months": 24, "fqdns": 2,
               "wildcards": 0, "unit_price": 62_000, "amount": 62_000}],
    "subtotal": 62_000, "tax": 6_200, "total": 68_200, "tax_totals": TAX_TOTALS,
}  # fmt: skip
SEND_IN = {"to": "keiri@example.jp", "language": "ja"}
QUOTE_SENT = {
    "quote_id": 88, "number": "88", "to": "keiri@example.jp", "language": "ja",
    "event_key": "quote:88:sent:1", "queued": True,
}  # fmt: skip
APPLIED = {
    "applied": True, "adapter": "bank_transfer", "reference": "zengin:41:2", "state": "succeeded",
    "payable_type": "order", "payable_id": 1042, "amount": 68_200, "received": 68_200,
    "surplus": 0, "remaining_due": 0, "effect": "paid",
}  # fmt: skip
IMPORT_RESULT = {
    "file_id": 41, "changed": True, "kind": "deposit_notice", "lines": 2, "new_lines": 2,
    "matched": 1, "unmatched": 1, "payments": [APPLIED],
}  # fmt: skip
UNMATCHED = {
    "id": 310, "file_id": 41, "record_number": 3, "account_number": "1234567",
    "inquiry_number": "000123", "account_date": "2026-11-21", "amount": 55_000,
    "payer_name": "ｶ)ｻﾝﾌﾟﾙ", "reason": "no_reference",
}  # fmt: skip
EXPECTATION = {
    "order_id": 1042, "payer_reference": "1042-7", "amount": 68_200, "due_date": "2026-12-06",
    "instructions": {"bank_name": "みずほ銀行", "branch_name": "本店", "account_type": "普通",
                     "account_number": "1234567", "account_holder": "ｼﾖｳﾒｲ(ｶ"},
}  # fmt: skip
ORDER_PAYMENT = {
    "order_id": 1042, "order_state": "awaiting_payment", "status": "awaiting",
    "label": "入金待ち", "total": 68_200, "received": 0, "surplus": 0, "remaining_due": 68_200,
    "instructions": EXPECTATION,
}  # fmt: skip
CARD_PAYMENT_IN = {
    "payment_method": "pm_1QExample",
    "return_url": "https://panel.example.jp/orders/1042/paid",
}
CARD_PAYMENT = {
    "order_id": 1042, "status": "requires_action", "payment_intent": "pi_3QExample",
    "redirect_url": "https://hooks.stripe.com/3d_secure_2/hosted?payment_intent=pi_3QExample",
    "client_secret": "pi_3QExample_secret_Example",
}  # fmt: skip
PRODUCT_METHODS = {
    "product_id": 12, "methods": ["bank_transfer", "card"], "narrowed": True,
    "enabled": ["bank_transfer", "card", "wallet"],
}  # fmt: skip
PRODUCT_METHODS_IN = {"payment_methods": ["bank_transfer", "card"]}
CUSTOMER_PAYMENT = {
    "customer_id": 7, "payment_method": "card", "auto_renew": True, "renewal_day": 25,
    "saved_method_ref": "pm_1QExample",
}  # fmt: skip
RESET_PAYMENT = {
    "customer_id": 7, "payment_method": "bank_transfer", "auto_renew": False,
    "renewal_day": None, "saved_method_ref": "",
}  # fmt: skip
CUSTOMER_PAYMENT_IN = {
    "payment_method": "card",
    "renewal_day": 25,
    "saved_method_ref": "pm_1QExample",
}
CHECKOUT_IN = {
    "lines": [LINE_IN], "success_url": "https://panel.example.jp/ssl/thanks",
    "cancel_url": "https://panel.example.jp/ssl", "customer": {"email": "taro@example.jp"},
    "metadata": {"panel_user": "u-1001"}, "expires_in_minutes": 60,
}  # fmt: skip
CHECKOUT = {
    "id": "cs_Fq3k9ExampleExampleExample", "url": "https://shop.example.jp/checkout/cs_Fq3k9Example",
    "status": "open", "order_id": None, "success_url": "https://panel.example.jp/ssl/thanks",
    "cancel_url": "https://panel.example.jp/ssl", "customer": {"email": "taro@example.jp"},
    "metadata": {"panel_user": "u-1001"}, "expires_at": "2026-11-22T10:00:00Z",
    "created_at": "2026-11-22T09:00:00Z", "completed_at": None,
}  # fmt: skip
PING_IN = {"queue": "provider"}
PING = {
    "token": "f3a9c2e1", "queue": "provider", "requested_at": "2026-11-22T09:00:00Z",
    "answered_at": "2026-11-22T09:00:01Z", "answered_by": "celery@worker-1",
}  # fmt: skip
PDF = "%PDF-1.7 … (the document's bytes)"
"""A binary download's example: its first bytes (the response is the file itself)."""
