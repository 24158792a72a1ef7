"""The public sign-up of a hosting company (``web.signup``) through the test client, in
Japanese and English: every bad field named, values kept, the confirmation mail's sealed link
confirming the owner's address, and the operator's approval / rejection mails."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import timedelta
from typing import Any

import pytest

from core.clock import FrozenClock
from core.context import tenant_scope
from core.messaging.events import MAIL_KINDS
from core.messaging.mail_secrets import open_fields
from core.sealing import Keyring
from core.tables import OutboxEvent
from tenants.onboarding import tenant_owner, tenant_ref
from tenants.tables import Tenant
from tests.tenants.helpers import unique
from tests.web.browser import (
    BASE,
    PASSWORD,
    START,
    browser,
    browser_settings,
    csrf_of,
    make_app,
    make_operator,
    on_host,
    sign_in,
)
from tests.web.html_audit import page_problems

GOOD_NUMBER = "T7000012050002"  # 国税庁's own 法人番号 with its check digit
BAD_CHECK_DIGIT = "T7000012050003"


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def settings(tmp_path, database):
    return browser_settings(tmp_path, database)


@pytest.fixture
def app(settings, clock):
    return make_app(settings, clock=clock)


def application(**changes: str) -> dict[str, str]:
    slug = unique("join")
    values = {
        "organization_name": "証明ホスティング株式会社",
        "organization_kana": "ショウメイホスティング",
        "registration_number": GOOD_NUMBER,
        "postal_code": "1000005",
        "prefecture": "東京都",
        "address": "千代田区丸の内1-1-1",
        "phone": "03-1234-5678",
        "contact_name": "山田 太郎",
        "contact_email": f"{slug}@example.jp",
        "slug": slug,
        "password": PASSWORD,
        "password_confirm": PASSWORD,
    }
    values.update(changes)
    return values


async def _submit(client: Any, values: dict[str, str], lang: str = "ja") -> Any:
    form = await client.get(f"/signup?lang={lang}")
    assert form.status_code == 200
    return await client.post("/signup", data={**values, "csrf_token": csrf_of(form.text)})


async def _events(tenant_id: int, event_type: str) -> list[dict[str, Any]]:
    row = await Tenant.objects().where(Tenant.id == tenant_id).first()
    with tenant_scope(tenant_ref(row)):
        rows = await OutboxEvent.select().where(
            (OutboxEvent.tenant_id == tenant_id) & (OutboxEvent.event_type == event_type)
        )
    for row in rows:
        if isinstance(row["payload"], str):
            row["payload"] = json.loads(row["payload"])
    return rows


def _opened(settings: Any, event: dict[str, Any]) -> dict[str, Any]:
    kind = MAIL_KINDS[event["event_type"]]
    payload = dict(event["payload"])
    return open_fields(Keyring.from_settings(settings), event["tenant_id"], kind.sealed, payload)


async def _tenant(slug: str) -> Tenant:
    row = await Tenant.objects().where(Tenant.slug == slug).first()
    assert row is not None, slug
    return row


@pytest.mark.parametrize("lang", ["ja", "en"])
async def test_the_form_has_every_field_labelled_and_links_from_home(app, lang):
    async with browser(app, BASE) as client:
        home = await client.get(f"/?lang={lang}")
        assert 'href="/signup"' in home.text
        page = await client.get(f"/signup?lang={lang}")
        assert page.status_code == 200
        assert page_problems(page.text, lang) == []
        assert page.text.count("<option") == 48  # the 47 prefectures and "choose one"
        assert (
            '<option value="北海道">北海道' if lang == "ja" else '<option value="北海道">Hokkaido'
        ) in page.text
        on_host(client, f"someshop.{BASE}")  # not on a tenant's host
        assert (await client.get("/signup")).status_code == 404


async def test_a_company_signs_up_confirms_its_address_and_is_approved(app, settings):
    values = application()
    slug = values["slug"]
    async with browser(app, BASE) as client:
        sent = await _submit(client, values, "en")
        assert sent.status_code == 303 and sent.headers["location"] == "/signup/sent"
        shown = await client.get("/signup/sent?lang=en")
        assert "Confirmation mail sent" in shown.text
        row = await _tenant(slug)
        assert (row.status, row.organization_name_kana, row.registration_number) == (
            "pending",
            "ショウメイホスティング",
            GOOD_NUMBER,
        )
        [event] = await _events(row.id, "signup.verification_requested")
        assert "token=" not in json.dumps(event["payload"])  # the link travels sealed
        mail = _opened(settings, event)
        assert mail["to"] == values["contact_email"] and mail["language"] == "en"
        link = mail["verify_url"]
        assert link.startswith(f"http://{BASE}/signup/verify?shop={slug}&token=")
        # the operator sees it unconfirmed and cannot approve it yet
        operator = await make_operator(FrozenClock(START))
        assert (await sign_in(client, "operator", operator)).status_code == 303
        queue = await client.get("/operator/tenants?lang=en")
        assert slug in queue.text and "Not confirmed" in queue.text
        detail = await client.get(f"/operator/tenants/{row.id}?lang=ja")
        assert "ショウメイホスティング" in detail.text and values["contact_email"] in detail.text
        assert f"/operator/tenants/{row.id}/approve" not in detail.text
        refused = await client.post(
            f"/operator/tenants/{row.id}/approve", data={"csrf_token": csrf_of(detail.text)}
        )
        assert refused.status_code == 400
        assert "メールアドレスがまだ確認されていない" in refused.text
        confirmed = await client.get(link.removeprefix(f"http://{BASE}") + "&lang=en")
        assert confirmed.status_code == 200 and "E-mail address confirmed" in confirmed.text
        again = await client.get(link.removeprefix(f"http://{BASE}") + "&lang=ja")
        assert again.status_code == 400 and "このリンクはすでに使用されています" in again.text
        queue = await client.get("/operator/tenants?lang=en")
        assert "Confirmed" in queue.text
        detail = await client.get(f"/operator/tenants/{row.id}?lang=en")
        done = await client.post(
            f"/operator/tenants/{row.id}/approve", data={"csrf_token": csrf_of(detail.text)}
        )
        assert done.status_code == 303
        [approved] = await _events(row.id, "signup.approved")
        assert approved["payload"]["console_url"] == f"http://{slug}.{BASE}/console/login"
        assert approved["payload"]["to"] == values["contact_email"]
        on_host(client, f"{slug}.{BASE}")
        signed_in = await sign_in(client, "console", values["contact_email"], PASSWORD)
        assert signed_in.status_code == 303
        console = await client.get(signed_in.headers["location"])
        assert console.status_code == 200
    owner = await tenant_owner(tenant_ref(await _tenant(slug)))
    assert owner is not None and owner.email_verified


async def test_rejection_needs_a_reason_and_mails_it(app, settings):
    values = application()
    async with browser(app, BASE) as client:
        assert (await _submit(client, values)).status_code == 303
        row = await _tenant(values["slug"])
        operator = await make_operator(FrozenClock(START))
        await sign_in(client, "operator", operator)
        detail = await client.get(f"/operator/tenants/{row.id}?lang=en")
        path = f"/operator/tenants/{row.id}/reject"
        refused = await client.post(path, data={"reason": " ", "csrf_token": csrf_of(detail.text)})
        assert refused.status_code == 400 and "This field is required" in refused.text
        assert await _events(row.id, "signup.rejected") == []
        done = await client.post(
            path, data={"reason": "登録番号が 確認できません", "csrf_token": csrf_of(detail.text)}
        )
        assert done.status_code == 303
    [event] = await _events(row.id, "signup.rejected")
    assert event["payload"]["reason"] == "登録番号が 確認できません"
    assert event["payload"]["to"] == values["contact_email"]
    assert (await _tenant(values["slug"])).status == "rejected"


ERRORS = {
    "ja": {
        "check_digit": "チェックデジット",
        "taken": "このサブドメインはすでに使われています。",
        "required": "必須項目です。",
        "mismatch": "確認用のパスワードが一致しません。",
        "kana": "フリガナはカタカナで入力してください。",
    },
    "en": {
        "check_digit": "check digit does not match",
        "taken": "This subdomain is already taken.",
        "required": "This field is required.",
        "mismatch": "The two passwords do not match.",
        "kana": "Enter the reading (furigana) in katakana.",
    },
}


def _field_error(html: str, name: str) -> str:
    found = re.search(rf'<p class="field-error" id="{name}-error">([^<]*)</p>', html)
    assert found, f"no error under {name}"
    return found.group(1)


@pytest.mark.parametrize("lang", ["ja", "en"])
async def test_bad_fields_are_named_and_values_kept(app, lang):
    said = ERRORS[lang]
    taken = application()
    async with browser(app, BASE) as client:
        assert (await _submit(client, taken, lang)).status_code == 303
        bad = application(
            registration_number=BAD_CHECK_DIGIT,
            slug=taken["slug"],
            organization_kana="Shomei",
            password_confirm="something else entirely",
            phone="",
            prefecture="",
        )
        refused = await _submit(client, bad, lang)
        assert refused.status_code == 400
        html = refused.text
        assert said["check_digit"] in _field_error(html, "registration_number")
        assert _field_error(html, "slug") == said["taken"]
        assert _field_error(html, "organization_kana") == said["kana"]
        assert _field_error(html, "password_confirm") == said["mismatch"]
        assert _field_error(html, "phone") == said["required"]
        assert _field_error(html, "prefecture") == said["required"]
        named = {"ja": "サブドメイン: " + said["taken"], "en": "Subdomain: " + said["taken"]}
        assert f'<a href="#slug">{named[lang]}</a>' in html  # the summary names the field
        for name in ("organization_name", "registration_number", "slug", "contact_email"):
            assert f'value="{bad[name]}"' in html, name
        assert PASSWORD not in html  # passwords are never sent back
        # a chosen prefecture stays chosen
        again = await _submit(client, {**bad, "prefecture": "大阪府"}, lang)
        assert '<option value="大阪府" selected>' in again.text
        empty = await _submit(client, {}, lang)
        assert empty.status_code == 400
        for name in ("organization_name", "organization_kana", "registration_number",
                     "postal_code", "prefecture", "address", "phone", "contact_name",
                     "contact_email", "slug", "password", "password_confirm"):  # fmt: skip
            assert _field_error(empty.text, name) == said["required"], name
    assert await Tenant.exists().where(Tenant.slug == bad["slug"])  # only the first one


@pytest.mark.parametrize(
    ("query", "lang", "message"),
    [
        ("shop=nobody&token=abc", "ja", "このリンクは無効です。"),
        ("", "en", "This link is not valid."),
    ],
)
async def test_a_bad_confirmation_link_says_so(app, query, lang, message):
    async with browser(app, BASE) as client:
        page = await client.get(f"/signup/verify?{query}&lang={lang}")
    assert page.status_code == 400 and message in page.text


async def test_two_applications_for_one_subdomain_at_once_make_one_tenant(app):
    first = application()
    second = application(slug=first["slug"])
    async with browser(app, BASE) as client:
        form = await client.get("/signup")
        token = csrf_of(form.text)
        answers = await asyncio.gather(
            client.post("/signup", data={**first, "csrf_token": token}),
            client.post("/signup", data={**second, "csrf_token": token}),
        )
    assert sorted(answer.status_code for answer in answers) == [303, 400]
    refused = next(answer for answer in answers if answer.status_code == 400)
    assert "このサブドメインはすでに使われています。" in refused.text
    assert await Tenant.count().where(Tenant.slug == first["slug"]) == 1


async def test_an_expired_link_offers_a_new_one_to_the_applicant_only(app, settings, clock):
    values = application()
    async with browser(app, BASE) as client:
        assert (await _submit(client, values, "en")).status_code == 303
        row = await _tenant(values["slug"])
        [first] = await _events(row.id, "signup.verification_requested")
        old_link = _opened(settings, first)["verify_url"].removeprefix(f"http://{BASE}")
        clock.advance(timedelta(hours=49))  # the link lives 48 hours
        expired = await client.get(old_link + "&lang=en")
        assert expired.status_code == 400 and "This link has expired" in expired.text
        assert 'action="/signup/verify/resend"' in expired.text
        token = csrf_of(expired.text)
        for email in ("someone-else@example.jp", values["contact_email"]):
            sent = await client.post(
                "/signup/verify/resend",
                data={"shop": values["slug"], "email": email, "csrf_token": token},
            )
            assert sent.status_code == 303 and sent.headers["location"] == "/signup/sent"
        events = await _events(row.id, "signup.verification_requested")
        assert len(events) == 2  # only the applicant's own address got a new link
        new_link = _opened(settings, events[-1])["verify_url"].removeprefix(f"http://{BASE}")
        assert (await client.get(new_link)).status_code == 200
        # confirmed: no more links for it
        await client.post(
            "/signup/verify/resend",
            data={"shop": values["slug"], "email": values["contact_email"], "csrf_token": token},
        )
    assert len(await _events(row.id, "signup.verification_requested")) == 2
    owner = await tenant_owner(tenant_ref(row))
    assert owner is not None and owner.email_verified
