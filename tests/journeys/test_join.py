"""Journey 2: a hosting company joins, from an empty install, through pages and mail only.

A visitor applies on the base domain, confirms their address with the mail's link, the
operator approves (the application shows as confirmed) and the approval mail's console
address signs the owner in with the password they chose. A second company is rejected with
a reason, which its mail carries.
"""

from __future__ import annotations

from tests.journeys.stack import Stack
from tests.journeys.steps_join import (
    APPROVE,
    apply,
    confirm_email,
    new_application,
    open_application,
    review,
    sign_in_owner,
)

CONFIRMED_IN_QUEUE = {"ja": "確認済み", "en": "Confirmed"}
NOT_CONFIRMED = {"ja": "未確認", "en": "Not confirmed"}
CONSOLE = {"ja": "ダッシュボード", "en": "Dashboard"}
REASON = {
    "ja": "登録番号の法人名がお申し込みの会社名と一致しません",
    "en": "The registration number belongs to another company",
}


async def test_a_hosting_company_joins_and_another_is_rejected(stack: Stack, page, lang, shot):
    application = new_application("join")
    await page.goto(stack.base_url(f"/signup?lang={lang}"))
    await shot("0-form")
    await apply(page, stack, lang, application)
    await shot("1-applied")
    mail = await confirm_email(page, stack, lang, application.owner_email)
    assert application.company in mail.text and application.slug in mail.text
    await shot("2-confirmed")

    approved = await review(page, stack, lang, application)
    await shot("3-approved")
    console_login = approved.link_to("/console/login")
    assert console_login == stack.tenant_url(application.slug, "/console/login")
    assert application.owner_email in approved.text

    joined = application.joined()
    await sign_in_owner(page, joined, lang, console_login)
    await shot("4-console")
    assert await page.get_by_role("heading", name=CONSOLE[lang]).first.is_visible()

    other = new_application("late")
    await apply(page, stack, lang, other)
    await open_application(page, stack, lang, other.slug)
    assert await page.get_by_text(NOT_CONFIRMED[lang]).first.is_visible()
    assert not await page.get_by_role("button", name=APPROVE[lang]).count()
    await confirm_email(page, stack, lang, other.owner_email)
    await page.goto(stack.base_url(f"/operator/tenants?lang={lang}"))
    row = page.get_by_role("row").filter(has_text=other.slug)
    assert await row.get_by_text(CONFIRMED_IN_QUEUE[lang], exact=True).is_visible()
    await shot("5-queue")
    rejected = await review(page, stack, lang, other, reason=REASON[lang])
    await shot("6-rejected")
    assert REASON[lang] in rejected.text and other.company in rejected.text
