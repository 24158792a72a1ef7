"""The console's branding page (``web/branding/console.py``) and what the tenant's host shows
of it: the name, colours, support address and footer; the logo (PNG or JPEG only, read from
the bytes, size and dimension limits, served with caching headers, never another tenant's);
the 特定商取引法 notices on ``/legal/tokushoho``, linked from the customer-facing footers; a
tenant host's ``/`` is its shop. Each refusal names its field, in Japanese and in English."""

from __future__ import annotations

import hashlib
import re

import pytest

from core.clock import FrozenClock
from tests.web.branding.images import SVG, picture
from tests.web.browser import START, browser, browser_settings, csrf_of, make_app, make_shop
from tests.web.console_settings.people import Sessions, make_team, post

PAGE = "/console/branding"
BRAND = {
    "name": "さくらSSLストア",
    "primary_colour": "#0a3d62",
    "accent_colour": "#f6b93b",
    "support_email": "Support@Sakura-SSL.example.jp",
    "footer_text": "© さくらSSLストア株式会社",
}
LEGAL = {
    "seller": "さくらSSLストア株式会社",
    "manager": "桜井 太郎",
    "address": "〒104-0061 東京都中央区銀座6-10-1",
    "phone": "０３−１２３４−５６７８",  # noqa: RUF001  (typed in full width)
    "prices": "各商品ページに表示(税込)",
    "extra_fees": "銀行振込の振込手数料はお客様のご負担となります。",
    "payment_methods": "クレジットカード、銀行振込",
    "payment_timing": "カード: ご注文時\n銀行振込: ご注文から7日以内",
    "delivery": "ご入金確認後、直ちにバウチャーコードをお届けします。",
    "returns": "デジタル商品のため返品はできません。",
}


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def app(tmp_path, database, clock):
    return make_app(browser_settings(tmp_path, database), clock=clock)


@pytest.fixture
async def teams(clock):
    shops = [await make_shop(clock), await make_shop(clock)]
    return [await make_team(s.tenant, s.owner_id, clock) for s in shops]


async def upload(client, data: bytes, filename: str, content_type: str):
    shown = await client.get(PAGE)
    return await client.post(
        PAGE + "/logo",
        data={"csrf_token": csrf_of(shown.text)},
        files={"logo": (filename, data, content_type)},
    )


def summary_names(html: str, label: str, field: str) -> bool:
    """The error summary names the field by its label, and the field carries its message."""
    return f'href="#{field}">{label}: ' in html and f'id="{field}-error"' in html


async def test_brand_form_refuses_each_bad_field_by_name_then_the_shop_shows_the_brand(app, teams):
    a, _ = teams
    async with browser(app, a.host) as client:
        sessions = Sessions(client)
        owner = await sessions.as_(a, "owner")
        bad = {**BRAND, "name": "", "primary_colour": "blue", "support_email": "nope"}
        for lang, labels in {
            "ja": ("お客様に表示する名前", "メインカラー", "お問い合わせ先メールアドレス"),
            "en": ("Name shown to customers", "Primary colour", "Support e-mail address"),
        }.items():
            refused = await post(owner, f"{PAGE}?lang={lang}", PAGE, bad)
            assert refused.status_code == 400
            for label, field in zip(
                labels, ("name", "primary_colour", "support_email"), strict=True
            ):
                assert summary_names(refused.text, label, field), (lang, field)
            assert 'value="Support@Sakura-SSL.example.jp"' not in refused.text  # typed text kept
            assert 'value="nope"' in refused.text
        too_light = await post(
            owner, f"{PAGE}?lang=en", PAGE, {**BRAND, "primary_colour": "#FFEE88"}
        )
        assert too_light.status_code == 400
        assert "too light for text on white" in too_light.text
        assert summary_names(too_light.text, "Primary colour", "primary_colour")
        ja = await post(owner, f"{PAGE}?lang=ja", PAGE, {**BRAND, "primary_colour": "#FFEE88"})
        assert "白地の文字には薄すぎます" in ja.text

        saved = await post(owner, PAGE, PAGE, BRAND)
        assert saved.status_code == 303 and saved.headers["location"] == f"{PAGE}?notice=saved"
        page = await owner.get(PAGE)
        assert (
            'value="#0A3D62"' in page.text and 'value="support@sakura-ssl.example.jp"' in page.text
        )

        client.cookies.clear()
        root = await client.get("/")
        assert root.status_code == 302 and root.headers["location"] == "/shop/"
        shop = await client.get("/shop/?lang=ja")
        assert "さくらSSLストア" in shop.text and "© さくらSSLストア株式会社" in shop.text
        assert 'href="mailto:support@sakura-ssl.example.jp"' in shop.text
        assert 'href="/legal/tokushoho">特定商取引法に基づく表記</a>' in shop.text
        css = await client.get("/brand/colours.css")
        assert "--shop-primary: #0A3D62;" in css.text and "--shop-accent: #F6B93B;" in css.text
        assert "--shop-accent-ink: #1D2433;" in css.text  # dark text reads better on amber
        login = await client.get("/portal/login?lang=en")
        assert "さくらSSLストア" in login.text and 'href="/legal/tokushoho"' in login.text


async def test_roles_without_tenant_settings_are_refused(app, teams):
    a, _ = teams
    async with browser(app, a.host) as client:
        sessions = Sessions(client)
        admin = await sessions.as_(a, "admin")
        assert (await admin.get(PAGE)).status_code == 200
        for role in ("finance", "support", "read_only"):
            person = await sessions.as_(a, role)
            assert (await person.get(PAGE)).status_code == 403, role
            assert 'href="/console/branding"' not in (await person.get("/console/")).text
        forbidden = await post(person, "/console/", PAGE, BRAND)
        assert forbidden.status_code == 403


async def test_logo_upload_limits_type_from_the_bytes_caching_and_isolation(app, teams):
    a, b = teams
    async with browser(app, a.host) as client:
        sessions = Sessions(client)
        owner = await sessions.as_(a, "owner")
        refusals = {
            "svg": (SVG, "logo.svg", "image/svg+xml", "PNG or JPEG", "PNG または JPEG"),
            "svg named png": (SVG, "logo.png", "image/png", "PNG or JPEG", "PNG または JPEG"),
            "gif": (picture("GIF"), "logo.gif", "image/gif", "PNG or JPEG", "PNG または JPEG"),
            "cut png": (picture()[:60], "logo.png", "image/png", "PNG or JPEG", "PNG または JPEG"),
            "cut jpeg": (picture("JPEG", (200, 200))[:-40], "a.jpg", "image/jpeg", "PNG or JPEG",
                         "PNG または JPEG"),
            "too large": (
                picture("PNG", (600, 600), noise=True), "big.png", "image/png", "at most 512 KiB",
                "512 KiB 以下",
            ),
            "too small": (picture("PNG", (8, 8)), "dot.png", "image/png", "between 16 and 2000",
                          "16〜2000"),
            "empty": (b"", "none.png", "image/png", "Choose an image file", "画像ファイルを選んで"),
        }  # fmt: skip
        for case, (data, name, kind, en, ja) in refusals.items():
            for lang, text in (("en", en), ("ja", ja)):
                client.cookies.set("lang", lang)
                refused = await upload(owner, data, name, kind)
                assert refused.status_code == 400, case
                label = "Logo file" if lang == "en" else "ロゴファイル"
                assert summary_names(refused.text, label, "logo"), (case, lang)
                assert text in refused.text, (case, lang)
        client.cookies.delete("lang")

        logo = picture("PNG", (240, 80))
        stored = await upload(owner, logo, "logo.png", "image/png")
        assert stored.status_code == 303, stored.text
        version = hashlib.sha256(logo).hexdigest()[:16]
        client.cookies.clear()
        shop = await client.get("/shop/")
        assert f'<img src="/brand/logo/{version}"' in shop.text
        served = await client.get(f"/brand/logo/{version}")
        assert served.status_code == 200 and served.content == logo
        assert served.headers["content-type"] == "image/png"
        assert served.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert served.headers["x-content-type-options"] == "nosniff"
        old = await client.get("/brand/logo/0123456789abcdef")  # a mail sent before a change
        assert old.content == logo and old.headers["cache-control"] == "public, max-age=300"

        owner = await sessions.as_(a, "owner")
        jpeg = picture("JPEG", (200, 200))
        assert (await upload(owner, jpeg, "photo.png", "image/png")).status_code == 303
        client.cookies.clear()
        new = hashlib.sha256(jpeg).hexdigest()[:16]
        served = await client.get(f"/brand/logo/{new}")
        assert served.headers["content-type"] == "image/jpeg"  # read from the bytes, not the name

        on_b = await client.get(f"http://{b.host}/brand/logo/{new}")
        assert on_b.status_code == 404  # b has no logo; a's is never served on b's host
        assert f"/brand/logo/{new}" not in (await client.get(f"http://{b.host}/shop/")).text

        owner = await sessions.as_(a, "owner")
        shown = await owner.get(PAGE)
        removed = await owner.post(PAGE + "/logo/remove", data={"csrf_token": csrf_of(shown.text)})
        assert removed.status_code == 303
        client.cookies.clear()
        assert (await client.get(f"/brand/logo/{new}")).status_code == 404
        assert "/brand/logo/" not in (await client.get("/shop/")).text


async def test_legal_notices_every_field_required_then_shown_on_the_legal_page(app, teams):
    a, b = teams
    async with browser(app, a.host) as client:
        sessions = Sessions(client)
        owner = await sessions.as_(a, "owner")
        form = await owner.get(PAGE)
        assert re.search(r'id="seller"[^>]*value="[^"]+"', form.text)  # from the company profile
        assert re.search(r'id="phone"[^>]*value="0\d', form.text)
        empty = {name: "" for name in LEGAL}
        for lang, labels in {
            "ja": ("販売業者", "運営統括責任者", "電話番号", "返品・キャンセル"),
            "en": ("Seller", "Person responsible for operations", "Telephone number",
                   "Returns and cancellations"),
        }.items():  # fmt: skip
            refused = await post(owner, f"{PAGE}?lang={lang}", f"{PAGE}/legal", empty)
            assert refused.status_code == 400
            for label, field in zip(labels, ("seller", "manager", "phone", "returns"), strict=True):
                assert summary_names(refused.text, label, field), (lang, field)
        bad_phone = await post(owner, f"{PAGE}?lang=en", f"{PAGE}/legal", {**LEGAL, "phone": "12"})
        assert summary_names(bad_phone.text, "Telephone number", "phone")
        assert "桜井 太郎" in bad_phone.text  # the other notices are kept

        client.cookies.clear()
        before = await client.get("/legal/tokushoho?lang=ja")
        assert "まだすべての事項を表示していません" in before.text

        owner = await sessions.as_(a, "owner")
        saved = await post(owner, PAGE, f"{PAGE}/legal", LEGAL)
        assert saved.status_code == 303
        await post(owner, PAGE, PAGE, BRAND)
        client.cookies.clear()
        for lang, heading in (("ja", "特定商取引法に基づく表記"), ("en", "Specified Commercial")):
            legal = await client.get(f"/legal/tokushoho?lang={lang}")
            assert legal.status_code == 200 and heading in legal.text
            for name, text in LEGAL.items():
                if name == "phone":
                    assert "03-1234-5678" in legal.text  # normalised from full width
                elif name == "payment_timing":
                    assert "カード: ご注文時<br>銀行振込: ご注文から7日以内" in legal.text
                else:
                    assert text in legal.text, name
            assert "support@sakura-ssl.example.jp" in legal.text
            assert "まだすべての事項" not in legal.text
        other = await client.get(f"http://{b.host}/legal/tokushoho?lang=ja")
        assert "桜井 太郎" not in other.text and "まだすべての事項を表示していません" in other.text
