import re

import pytest

from core.i18n import load_catalogs, missing_translations
from core.messaging.branding import Branding
from core.messaging.events import MAIL_KINDS
from core.messaging.rendering import MailPayloadError, MailRenderer
from core.plugins import build_plugin_manager

SAMPLES = {
    "order_number": "ORD-1031",
    "total": 1_634_506,
    "amount": 1_634_506,
    "grand_total": 1_634_506,
    "items": [{"name": "ジオトラスト EV 1年", "quantity": 3, "amount": 657_000}],
    "order_url": "https://shop.example.jp/orders/1031?a=1&b=2",
    "due_date": "2026/12/31",
    "bank_account": {
        "bank_name": "三井住友銀行",
        "branch_name": "ツバキ支店",
        "account_type": "当座",
        "account_number": "0249302",
        "account_holder": "ショウメイホスティング(カ",
    },
    "transfer_name": "1031 ヤマダ",
    "paid_on": "2026/11/25",
    "vouchers": ["A" * 32, "B" * 32],
    "redeem_by": "2027/11/22",
    "redeem_url": "https://shop.example.jp/redeem",
    "pdf_url": "https://shop.example.jp/console/vouchers/1/pdf",
    "common_name": "www.example.jp",
    "serial": "0a1b2c",
    "expires_on": "2027/12/01",
    "download_url": "https://shop.example.jp/certs/1",
    "renew_url": "https://shop.example.jp/renew/1",
    "days_left": 30,
    "next_attempt_on": "2027/06/12",
    "manual": False,
    "invoice_id": 1,
    "number": "INV-000001",
    "invoice_url": "https://shop.example.jp/invoices/1",
    "quote_number": "Q-000001",
    "valid_until": "2027/01/06",
    "title": "202612_山田商事様向け見積り",
    "receipt_number": "R-2026-0001",
    "application_type": "新規",
    "form_url": "https://shop.example.jp/forms/1",
    "reset_url": "https://shop.example.jp/reset?token=abc&x=1",
    "expires_minutes": 30,
    "confirm_url": "https://shop.example.jp/portal/account/email/confirm?token=abc.def",
    "new_email": "new@example.jp",
    "customer_name": "鈴木 太郎",
    "name": "鈴木 太郎",
    "verify_url": "https://shomei.example.jp/signup/verify?shop=acme&token=abc",
    "organization_name": "アクメ株式会社",
    "slug": "acme",
    "console_url": "https://acme.shomei.example.jp/console/login",
    "login_email": "owner@acme.example.jp",
    "reason": "登録番号が確認できません",
}
BRAND = Branding(
    name="しょうめい&ホスティング",
    logo_url="https://www.example.jp/logo.png",
    primary_colour="#123456",
    accent_colour="#ABCDEF",
    footer_text="東京都中央区銀座6-10-1",
)
MISSING_ID = re.compile(r"\[(mail|messaging)\.[a-z_.]+\]")


@pytest.fixture(scope="module")
def renderer():
    return MailRenderer(build_plugin_manager(load_entrypoints=False))


def test_catalogs_have_the_same_ids_in_both_languages():
    assert missing_translations(load_catalogs("core.messaging")) == {}


@pytest.mark.parametrize("language", ["ja", "en"])
@pytest.mark.parametrize("event_type", sorted(MAIL_KINDS))
def test_every_template_renders_in_both_languages(renderer, event_type, language):
    kind = MAIL_KINDS[event_type]
    data = {name: SAMPLES[name] for name in (*kind.required, *kind.optional)}
    mail = renderer.render(kind, language, BRAND, data)
    for part in (mail.subject, mail.text, mail.html):
        assert not MISSING_ID.search(part), MISSING_ID.search(part)
        assert "[" + kind.template not in part
    assert BRAND.name in mail.subject
    assert BRAND.name in mail.text and "しょうめい&amp;ホスティング" in mail.html
    assert BRAND.footer_text in mail.text and BRAND.footer_text in mail.html
    assert BRAND.logo_url in mail.html and "#123456" in mail.html
    assert "鈴木 太郎" in mail.text
    for url_field in ("order_url", "reset_url"):  # a URL stays whole in text, escaped in HTML
        if url_field in data:
            assert data[url_field] in mail.text
            assert data[url_field].replace("&", "&amp;") in mail.html
    if language == "ja":
        assert "様" in mail.text
    else:
        assert "Dear" in mail.text


def test_optional_fields_may_be_left_out(renderer):
    for kind in MAIL_KINDS.values():
        data = {name: SAMPLES[name] for name in kind.required}
        mail = renderer.render(kind, "ja", Branding(name="Shop"), data)
        assert "お客様" in mail.text  # no name: the anonymous greeting


def test_a_missing_required_field_is_named(renderer):
    with pytest.raises(MailPayloadError, match="order_number"):
        renderer.render("order.received", "ja", BRAND, {"total": 100})


def test_amounts_are_formatted_per_language(renderer):
    data = {"order_number": "1", "total": 1100}
    assert "1,100円" in renderer.render("order.received", "ja", BRAND, data).text
    assert "¥1,100" in renderer.render("order.received", "en", BRAND, data).text
