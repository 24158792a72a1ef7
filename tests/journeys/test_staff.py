"""Journey 7, staff work (issue 14): from a tenant that joined through the pages, its owner
works in the console and through the public API as a hosting panel would.

- An API key made on the console (its secret shown once) places nothing for a customer id
  nobody has: quotes and orders are refused with 422 naming ``customer_id``.
- A quote is created from the console's form and shown by its quote number (Q-…), never a
  table id.
- Revoking the key (a destructive action) asks for confirmation first; only the
  confirmation's own button revokes it, after which the API refuses the key.
"""

from __future__ import annotations

from tests.journeys.stack import Stack
from tests.journeys.steps_join import join
from tests.journeys.steps_staff import (
    CONFIRM_HEADING,
    ask_to_revoke_api_key,
    confirm,
    create_api_key,
    public_api,
    sign_in_console,
)

MISSING_CUSTOMER = 987_654_321
REVOKED = {"ja": "無効化済み", "en": "Revoked"}
ACTIVE = {"ja": "有効", "en": "Active"}


async def test_staff_work_from_the_console(stack: Stack, page, lang, shot):
    joined = await join(page, stack, lang)
    await sign_in_console(page, stack, joined.slug, joined.owner_email, joined.password)
    key = await create_api_key(
        page, stack, joined.slug, lang, "panel", ["orders:read", "orders:write"]
    )
    await shot("1-api-key-created")
    headers = {"X-API-Key": key, "Accept-Language": lang}

    async with public_api(stack) as api:
        quote = await api.post(
            "/api/v1/quotes",
            json={"credit_amount": 10_000, "customer_id": MISSING_CUSTOMER},
            headers=headers,
        )
        assert quote.status_code == 422, quote.text
        assert [e["field"] for e in quote.json()["errors"]] == ["customer_id"]
        order = await api.post(
            "/api/v1/orders",
            json={
                "payment_method": "bank_transfer",
                "lines": [{"product_id": 1}],
                "customer_id": MISSING_CUSTOMER,
            },
            headers={**headers, "Idempotency-Key": "journey-staff-order-1"},
        )
        assert order.status_code == 422, order.text
        assert "customer_id" in [e["field"] for e in order.json()["errors"]]
        listed = await api.get("/api/v1/orders", headers=headers)
        assert listed.status_code == 200 and listed.json() == []  # nothing was placed

        # a credit quote for no customer is accepted, and the console names it by number
        made = await api.post("/api/v1/quotes", json={"credit_amount": 10_000}, headers=headers)
        assert made.status_code == 201, made.text
        made_id = made.json()["id"]
    await page.goto(stack.tenant_url(joined.slug, f"/console/quotes?lang={lang}"))
    number = f"Q-{made_id:06d}"
    await page.get_by_role("link", name=number).click()
    await page.get_by_role("heading", name=number).wait_for()
    await shot("2-quote-by-number")

    await ask_to_revoke_api_key(page, stack, joined.slug, lang, "panel")
    await shot("3-revoke-asks-first")
    async with public_api(stack) as api:
        still = await api.get("/api/v1/orders", headers=headers)
        assert still.status_code == 200  # asking revoked nothing
    await page.get_by_role("heading", name=CONFIRM_HEADING[lang]).wait_for()
    await confirm(page, lang)
    row = page.get_by_role("row").filter(has_text="panel")
    await row.get_by_text(REVOKED[lang], exact=True).wait_for()
    await shot("4-revoked")
    async with public_api(stack) as api:
        refused = await api.get("/api/v1/orders", headers=headers)
        assert refused.status_code == 401, refused.text
