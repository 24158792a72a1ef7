"""The renewal-failed notice: the next attempt's date while dunning, manual renewal at the end."""

import pytest

from core.messaging.branding import Branding
from core.messaging.rendering import MailRenderer
from core.plugins import build_plugin_manager

BRAND = Branding(name="しょうめいホスティング")
BASE = {
    "common_name": "server-a",
    "amount": 13_200,
    "renew_url": "https://demo.shop.example.jp/portal/certificates/7",
    "customer_name": "鈴木 太郎",
}


@pytest.fixture(scope="module")
def renderer():
    return MailRenderer(build_plugin_manager(load_entrypoints=False))


def test_a_failed_attempt_names_the_next_one(renderer):
    ja = renderer.render("renewal.failed", "ja", BRAND, {**BASE, "next_attempt_on": "2027/06/12"})
    assert "server-a" in ja.subject and "自動更新" in ja.subject
    assert "2027/06/12 に再度お支払いを試みます" in ja.text and "13,200円" in ja.text
    en = renderer.render(
        "renewal.failed", "en", BRAND, {**BASE, "next_attempt_on": "2027-06-12", "manual": False}
    )
    assert "We will try again on 2027-06-12" in en.text and "¥13,200" in en.text


def test_the_last_failure_says_renewal_is_now_manual(renderer):
    ja = renderer.render("renewal.failed", "ja", BRAND, {**BASE, "manual": True})
    assert "手動更新に切り替えました" in ja.text and "再度お支払い" not in ja.text
    en = renderer.render("renewal.failed", "en", BRAND, {**BASE, "manual": True})
    assert "Automatic renewal is now off" in en.html
