"""Journey 4 (issue 14): a customer buys and gets the certificate, in a browser, from an empty
install: a hosting company joins and sets up its shop through pages (``steps_join``,
``steps_setup``), then ``steps_buy.buy_and_get_certificate`` — sign up in the shop, buy a
product for 2 FQDNs by bank transfer, the invoice PDF in the portal, the payment confirmed in
the console, the application on the portal's certificate page with a CSR of 2 names, DCV by
HTTP token, the certificate downloaded as PEM, chain and PKCS#7 and checked by openssl.

Until the join and set-up steps are on main this journey is skipped (their modules are
imported when it runs); its body is ``steps_buy``'s.
"""

from __future__ import annotations

import pytest

from tests.journeys.stack import Stack
from tests.journeys.steps_buy import buy_and_get_certificate


async def test_a_customer_buys_and_gets_the_certificate(stack: Stack, page, lang, shot):
    steps_join = pytest.importorskip("tests.journeys.steps_join")
    steps_setup = pytest.importorskip("tests.journeys.steps_setup")
    joined = await steps_join.join(page, stack, lang)
    shop = await steps_setup.set_up_shop(page, stack, joined, lang, shot)
    bought = await buy_and_get_certificate(page, stack, shop, lang)
    await shot("certificate-issued")
    assert bought.order_number.startswith("ORD-")
