"""No shomei branding reaches a tenant's customers: every page of the walk
(``tests/web/page_walk.py``: every GET route, both languages, signed in and as a visitor) that
a customer can open on the tenant's host — everything but the console and the operator area —
shows the tenant's brand and never the name shomei or its 証明 mark, in its text, its title or
its images' alternative texts. 証明書 ("certificate") is the goods' own name and stays; the
deployment's domain (the tenant's host is ``<slug>.<base domain>`` until it sets its own
domain) is the address, not a brand, and is left out."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from core.context import tenant_scope
from tenants.branding import update_brand
from tests.tenants.helpers import staff_context
from tests.web.browser import BASE, browser
from tests.web.console.world import Tenant
from tests.web.page_walk import (  # noqa: F401  (fixtures)
    app,
    settings,
    start_walk,
    token_server,
    upstream,
    world,
)

STAFF_AREAS = ("/console", "/operator", "/static")
SHOMEI = re.compile(r"shomei|証明(?!書)", re.IGNORECASE)
SHOWN_ATTRIBUTES = ("alt", "title", "aria-label", "placeholder")
BRAND = {
    "name": "さくらSSLストア",
    "primary_colour": "#0A3D62",
    "accent_colour": "#F6B93B",
    "support_email": "support@sakura-ssl.example.jp",
    "footer_text": "© さくらSSLストア株式会社",
}


class ShownText(HTMLParser):
    """The text a person sees or hears of a page: text outside scripts and styles, and the
    attributes that are read out or shown."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.hidden += 1
        self.parts += [value or "" for name, value in attrs if name in SHOWN_ATTRIBUTES]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.hidden = max(0, self.hidden - 1)

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def shown_text(html: str) -> str:
    parser = ShownText()
    parser.feed(html)
    return " ".join(parser.parts).replace(BASE, "")


def test_the_check_finds_the_brand_and_spares_certificates() -> None:
    assert SHOMEI.search(shown_text('<a class="brand">shomei <span>証明</span></a>'))
    assert SHOMEI.search(shown_text('<img src="/x.png" alt="Shomei">'))
    assert not SHOMEI.search(shown_text("<p>証明書をダウンロード</p>"))
    assert not SHOMEI.search(shown_text('<link href="/static/shomei.css"><script>shomei</script>'))
    assert not SHOMEI.search(shown_text(f"<p>https://shop.{BASE}/portal/</p>"))


async def test_no_customer_facing_page_shows_shomei(
    app,  # noqa: F811
    settings,  # noqa: F811
    world: Tenant,  # noqa: F811
    upstream,  # noqa: F811
):
    shop = world.shop
    with tenant_scope(shop.tenant):
        await update_brand(staff_context(shop.tenant, shop.owner_id, upstream.clock), BRAND)
    async with browser(app, shop.host) as client:
        walk = await start_walk(client, settings, world, upstream.clock)
        seen, problems = [], []
        async for visit in walk.visits(app):
            if visit.path.startswith(STAFF_AREAS) or not visit.is_html:
                continue
            text = shown_text(visit.response.text)
            found = SHOMEI.search(text)
            if found:
                start = max(0, found.start() - 60)
                problems.append(f"{visit.where}: …{text[start : found.end() + 60]!r}…")
            if visit.response.status_code == 200:
                seen.append(visit.path)
                if BRAND["name"] not in text:
                    problems.append(f"{visit.where}: the tenant's name is not shown")
        assert not problems, "\n".join(problems)
        assert {"/shop", "/portal", "/legal/tokushoho", "/shop/cart"} <= set(seen), seen
        client.cookies.clear()
        root = await client.get("/")
        assert root.status_code == 302 and root.headers["location"] == "/shop/"
