import pytest

from core.billing.contact import BillingContact, contact_errors, require_billing_contact
from core.errors import ValidationFailed
from core.i18n import Translator, load_catalogs, merge_catalogs, missing_translations
from core.plugins import build_plugin_manager
from core.registration_number import is_registration_number

EMPTY = BillingContact(organization_name=" ", postal_code="", prefecture="", email="not-an-email")


def _catalogs():
    return merge_catalogs(build_plugin_manager(load_entrypoints=False).hook.register_translations())


def test_a_complete_contact_passes():
    contact = BillingContact("JPY株式会社", "104-0061", "東京都", email="a@example.jp")
    require_billing_contact(contact)
    assert contact_errors(BillingContact("DigiCert Japan G.K.", "1040061", "tokyo")) == []


def test_missing_contact_data_is_refused_with_the_seeds_english_messages():
    with pytest.raises(ValidationFailed) as refused:
        require_billing_contact(EMPTY)
    en = Translator(_catalogs(), "en")
    assert [(e.field, en(e.message_id)) for e in refused.value.errors] == [
        ("organization_name", "organization_name is a required parameter"),
        ("postal_code", "Zip/Postal Code is a required parameter"),
        ("prefecture", "address contains an invalid value."),
        ("email", "Email Address contains an invalid value"),
    ]


def test_the_same_refusals_read_in_japanese():
    ja = Translator(_catalogs(), "ja")
    texts = [ja(e.message_id) for e in contact_errors(EMPTY)]
    assert texts == [
        "組織名は必須です。",
        "郵便番号は必須です。",
        "住所に無効な値が含まれています。",
        "メールアドレスに無効な値が含まれています。",
    ]


def test_a_malformed_postal_code_or_unknown_prefecture_is_an_invalid_address():
    errors = contact_errors(BillingContact("JPY株式会社", "104-00610", "東京"))
    assert [(e.field, e.message_id) for e in errors] == [
        ("postal_code", "billing.contact.address_invalid"),
        ("prefecture", "billing.contact.address_invalid"),
    ]


def test_billing_catalogs_hold_the_same_ids_in_both_languages():
    catalogs = load_catalogs("core.billing")
    assert set(catalogs) == {"ja", "en"}
    assert missing_translations(catalogs) == {}


def test_registration_number_needs_t_thirteen_digits_and_the_check_digit():
    assert is_registration_number("T7000012050002")  # 国税庁
    assert not is_registration_number("T8000012050002")  # wrong check digit
    assert not is_registration_number("7000012050002")
    assert not is_registration_number("T700001205000")
