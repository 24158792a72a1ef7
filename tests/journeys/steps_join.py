"""Page steps of journey 2, "a hosting company joins", for every journey that needs a tenant.

``await join(page, stack, lang)`` does the whole of it through pages and mail, as people do:
the company applies on the base domain's ``/signup``, opens the confirmation link of the mail
it gets, the operator (``stack.operator``) approves the application on the operator pages, and
the owner opens the console address of the approval mail and signs in with the password they
chose. It returns ``Joined``; the page is left signed in to the new tenant's console
(``stack.tenant_url(joined.slug, "/console/")``). Each step is its own function too, so a
journey can stop between them (``apply``, ``confirm_email``, ``review``, ``sign_in_owner``).
"""

from __future__ import annotations

import itertools
import secrets
from dataclasses import dataclass, field

from playwright.async_api import Page

from tests.journeys.mailbox import Mail
from tests.journeys.stack import Stack
from tests.journeys.steps_operator import sign_in_operator

APPLY = {"ja": "申し込む", "en": "Apply"}
SIGN_IN = {"ja": "ログイン", "en": "Sign in"}
APPROVE = {"ja": "承認する", "en": "Approve"}
REJECT = {"ja": "却下する", "en": "Reject"}
VERIFY_SUBJECT = {"ja": "メールアドレスの確認", "en": "Confirm your e-mail address"}
APPROVED_SUBJECT = {"ja": "承認しました", "en": "is approved"}
REJECTED_SUBJECT = {"ja": "お申し込みについて", "en": "About your reseller application"}
CONFIRMED = {"ja": "メールアドレスを確認しました", "en": "E-mail address confirmed"}
PASSWORD = "join the shop 2026!"
_counter = itertools.count(1)


@dataclass(frozen=True)
class Joined:
    """A tenant made through the sign-up pages: its subdomain, its owner's sign-in, its name."""

    slug: str
    owner_email: str
    password: str
    company: str


@dataclass(frozen=True)
class Application:
    """What a company types into ``/signup``; ``new_application()`` makes a unique one."""

    slug: str
    company: str
    kana: str = "ショウメイホスティング"
    registration_number: str = "T7000012050002"  # 国税庁's 法人番号, a valid check digit
    postal_code: str = "1000005"
    prefecture: str = "東京都"
    address: str = "千代田区丸の内1-1-1"
    phone: str = "03-1234-5678"
    contact_name: str = "山田 太郎"
    email: str = ""
    password: str = PASSWORD
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def owner_email(self) -> str:
        return self.email or f"owner@{self.slug}.example.jp"

    def joined(self) -> Joined:
        return Joined(self.slug, self.owner_email, self.password, self.company)


def new_application(prefix: str = "shop") -> Application:
    slug = f"{prefix}{next(_counter)}{secrets.token_hex(3)}"
    return Application(slug=slug, company=f"証明ホスティング株式会社 {slug}")


async def apply(page: Page, stack: Stack, lang: str, application: Application) -> None:
    """Open the base domain's home page, follow its sign-up link and send the form."""
    await page.goto(stack.base_url(f"/?lang={lang}"))
    await page.locator('a[href="/signup"]').first.click()
    await page.wait_for_url("**/signup")
    values = {
        "organization_name": application.company,
        "organization_kana": application.kana,
        "registration_number": application.registration_number,
        "postal_code": application.postal_code,
        "address": application.address,
        "phone": application.phone,
        "contact_name": application.contact_name,
        "contact_email": application.owner_email,
        "slug": application.slug,
        "password": application.password,
        "password_confirm": application.password,
        **application.fields,
    }
    for name, value in values.items():
        await page.locator(f"#{name}").fill(value)
    await page.locator("#prefecture").select_option(application.prefecture)
    await page.get_by_role("button", name=APPLY[lang]).click()
    await page.wait_for_url("**/signup/sent")


async def confirm_email(page: Page, stack: Stack, lang: str, email: str) -> Mail:
    """Read the confirmation mail and open its link; returns the mail."""
    mail = await stack.mailbox.wait_for(to=email, subject=VERIFY_SUBJECT[lang])
    await page.goto(mail.link_to("/signup/verify"))
    await page.get_by_role("heading", name=CONFIRMED[lang]).wait_for()
    return mail


async def open_application(page: Page, stack: Stack, lang: str, slug: str) -> None:
    """As the operator (signing in first when the browser is not yet): the review queue,
    then the application of ``slug``."""
    queue = stack.base_url(f"/operator/tenants?lang={lang}")
    await page.goto(queue)
    if "/operator/login" in page.url:
        await sign_in_operator(page, stack, lang)
        await page.goto(queue)
    await page.get_by_role("link", name=slug, exact=True).click()
    await page.wait_for_url("**/operator/tenants/*")


async def review(
    page: Page, stack: Stack, lang: str, application: Application, reason: str = ""
) -> Mail:
    """The operator approves the application (or rejects it when ``reason`` is given);
    returns the mail the applicant gets."""
    await open_application(page, stack, lang, application.slug)
    if reason:
        await page.locator("#reason").fill(reason)
        await page.get_by_role("button", name=REJECT[lang]).click()
        await page.wait_for_url("**notice=rejected")
        subject = REJECTED_SUBJECT[lang]
    else:
        await page.get_by_role("button", name=APPROVE[lang]).click()
        await page.wait_for_url("**notice=approved")
        subject = APPROVED_SUBJECT[lang]
    return await stack.mailbox.wait_for(to=application.owner_email, subject=subject)


async def sign_in_owner(page: Page, joined: Joined, lang: str, console_login: str) -> None:
    """Open the console's sign-in page (the approval mail's address) and sign in."""
    await page.goto(f"{console_login}?lang={lang}")
    await page.locator("#email").fill(joined.owner_email)
    await page.locator("#password").fill(joined.password)
    await page.get_by_role("button", name=SIGN_IN[lang]).click()
    await page.wait_for_url("**/console/")


async def join(page: Page, stack: Stack, lang: str) -> Joined:
    """A new tenant, from sign-up to its owner signed in to its console."""
    application = new_application()
    await apply(page, stack, lang, application)
    await confirm_email(page, stack, lang, application.owner_email)
    approved = await review(page, stack, lang, application)
    joined = application.joined()
    await sign_in_owner(page, joined, lang, approved.link_to("/console/login"))
    return joined
