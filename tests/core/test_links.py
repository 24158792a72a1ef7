"""Links in mails go to the tenant's own host, keeping the public URL's scheme and port."""

from core.links import certificate_page, tenant_url


def test_links_go_to_the_tenants_host() -> None:
    assert tenant_url("https://shomei.jp", "acme", "/shop") == "https://acme.shomei.jp/shop"
    assert tenant_url("http://localhost:8000/", "demo", "/portal") == (
        "http://demo.localhost:8000/portal"
    )
    assert certificate_page("https://shomei.jp", "acme", 7) == (
        "https://acme.shomei.jp/portal/certificates/7"
    )


def test_no_public_url_gives_the_path() -> None:
    assert tenant_url("", "acme", "/shop") == "/shop"
