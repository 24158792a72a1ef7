"""``web.next_path.safe_next``: a path of this site is followed, anything that a browser could
take to another host (or that could split a header) gives the default."""

from __future__ import annotations

import pytest

from web.next_path import safe_next

DEFAULT = "/portal/"

SAFE = [
    "/digicert/redeem?vc=ABCD-1234",
    "/digicert/redeem?vc=A%2BB",  # an encoded value in the query is fine
    "/console/orders?state=paid&page=2",
    "/portal/",
    "/",
    "/portal/certificates/12#dcv",
    "/shop/products/1?q=%E8%A8%BC%E6%98%8E",
]

HOSTILE = [
    "",
    None,
    "//evil.com",
    "//evil.com/portal/",
    "///evil.com",
    "/\\evil.com",
    "\\\\evil.com",
    "\\/evil.com",
    "https://evil.com",
    "http://evil.com/digicert/redeem",
    "HTTPS://evil.com",
    "javascript:alert(1)",
    "JavaScript:alert(document.cookie)",
    "data:text/html,<script>alert(1)</script>",
    "%2F%2Fevil.com",
    "/%2F/evil.com",
    "/%2Fevil.com",  # decodes to //evil.com
    "/%5Cevil.com",
    "/%5cevil.com",
    "/%255Cevil.com",  # double-encoded backslash
    "/portal/\\..\\evil",
    "/portal/\r\nSet-Cookie: shomei_session=stolen",
    "/portal/%0d%0aSet-Cookie:%20x=y",
    "/portal/%0ALocation:%20https://evil.com",
    "/\tevil.com",
    "/\x00",
    "/portal/\x7f",
    " /portal/",
    "evil.com",
    "portal/",
    "?next=/portal/",
    "#/portal/",
    "/" + "a" * 3000,
]


@pytest.mark.parametrize("value", SAFE)
def test_a_path_of_this_site_is_followed(value: str) -> None:
    assert safe_next(value, DEFAULT) == value


@pytest.mark.parametrize("value", HOSTILE)
def test_anything_else_gives_the_default(value: str | None) -> None:
    assert safe_next(value, DEFAULT) == DEFAULT
