"""The public sign-up of a hosting company, on the base domain (the public URL's host).

``GET/POST /signup``: the application form (company, its reading, 適格請求書発行事業者登録番号,
address with the prefecture chosen from the 47, phone, contact person and e-mail, the shop's
subdomain, a password typed twice). Every problem is shown at once under its field, in the
visitor's language, and every value typed is kept except the passwords. A valid application
creates a pending tenant and its owner (``tenants.onboarding.sign_up_tenant``) and records the
confirmation mail (``web.signup.mail``); the browser goes to ``/signup/sent``.

``GET /signup/verify?shop=<slug>&token=<token>``: the link of that mail. Opening it confirms
the owner's e-mail address; only then can the operator approve the application
(``web.operator.tenants``). A link that does not work offers a new one
(``POST /signup/verify/resend``: the contact e-mail; the same answer whether or not a pending,
unconfirmed application has it). Valid applications and new links are throttled per address
like sign-ins.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post

from core.context import Actor, ActorKind, Context, TenantRef, tenant_scope
from core.errors import FieldError, ValidationFailed
from core.prefectures import PREFECTURES
from core.sealing import Keyring
from tenants.company import CompanyProfile
from tenants.onboarding import (
    TenantSignUp,
    renew_owner_verification,
    sign_up_errors,
    sign_up_tenant,
    verify_owner_email,
)
from web.controllers.auth import FORM, Errors, by_field, client_ip, redirect, web_state
from web.pages import render, translator
from web.signup.mail import Applicant, verification_requested

FIELDS = (
    "organization_name",
    "organization_kana",
    "registration_number",
    "postal_code",
    "prefecture",
    "address",
    "phone",
    "contact_name",
    "contact_email",
    "slug",
    "password",
    "password_confirm",
)
RENAMED = {
    "display_name": "organization_name",
    "owner_email": "contact_email",
    "owner_name": "contact_name",
    "owner_password": "password",
}
"""The service's field -> the form's (the contact person is the owner who signs in)."""


@dataclass
class ResendForm:
    shop: str = ""
    email: str = ""
    csrf_token: str = ""


async def _send_link(
    request: Request[Any, Any, Any], tenant: TenantRef, applicant: Applicant, token: str
) -> None:
    """Record the confirmation mail with its link (sealed) in the tenant's outbox."""
    web = web_state(request)
    query = urlencode({"shop": tenant.slug, "token": token})
    verify_url = f"{request.url.scheme}://{request.url.netloc}/signup/verify?{query}"
    ctx = Context(
        tenant=tenant,
        actor=Actor(ActorKind.SYSTEM, "signup", ip_address=client_ip(request)),
        clock=web.clock,
    )
    with tenant_scope(tenant):
        await verification_requested(
            ctx, Keyring.from_settings(web.settings), applicant, token, verify_url
        )


@dataclass
class SignUpForm:
    organization_name: str = ""
    organization_kana: str = ""
    registration_number: str = ""
    postal_code: str = ""
    prefecture: str = ""
    address: str = ""
    phone: str = ""
    contact_name: str = ""
    contact_email: str = ""
    slug: str = ""
    password: str = ""
    password_confirm: str = ""
    csrf_token: str = ""

    def sign_up(self, language: str) -> TenantSignUp:
        return TenantSignUp(
            slug=self.slug,
            display_name=self.organization_name,
            company=CompanyProfile(
                organization_name=self.organization_name,
                contact_name=self.contact_name,
                contact_email=self.contact_email,
                postal_code=self.postal_code,
                prefecture=self.prefecture,
                address=self.address,
                phone=self.phone,
                registration_number=self.registration_number,
            ),
            owner_email=self.contact_email,
            owner_name=self.contact_name,
            owner_password=self.password,
            language=language,
            organization_kana=self.organization_kana,
        )

    def kept(self) -> dict[str, str]:
        """What the form shows again after an error: everything but the passwords."""
        values = asdict(self)
        return {name: values[name] for name in FIELDS if "password" not in name}


def _errors(found: list[FieldError], form: SignUpForm) -> Errors:
    errors = by_field(found, RENAMED)
    if form.password and form.password != form.password_confirm:
        errors.setdefault(
            "password_confirm", FieldError("password_confirm", "web.signup.password_mismatch")
        )
    elif not form.password_confirm:
        errors.setdefault(
            "password_confirm", FieldError("password_confirm", "tenants.field_required")
        )
    return {name: errors[name] for name in (*FIELDS, *errors) if name in errors}


def _form_page(
    request: Request[Any, Any, Any],
    values: dict[str, str] | None = None,
    errors: Errors | None = None,
    status: int = 200,
) -> Response[str]:
    language = translator(request).language
    return render(
        request,
        "pages/signup/form.html",
        status=status,
        values=values or {},
        errors=errors or {},
        fields=FIELDS,
        prefectures=[(ja, ja if language == "ja" else en) for ja, en in PREFECTURES],
        base_host=request.url.netloc,
    )


class SignUpController(Controller):
    path = "/signup"
    include_in_schema = False

    @get("/")
    async def form(self, request: Request[Any, Any, Any]) -> Response[str]:
        return _form_page(request)

    @post("/")
    async def submit(
        self, request: Request[Any, Any, Any], data: Annotated[SignUpForm, FORM]
    ) -> Response[Any]:
        web = web_state(request)
        language = translator(request).language
        application = data.sign_up(language)
        errors = _errors(await sign_up_errors(application), data)
        if errors:
            return _form_page(request, data.kept(), errors, 400)
        if not await web.login_throttle.allow("signup", client_ip(request), data.contact_email):
            throttled = {"form": FieldError("form", "web.signup.throttled")}
            return _form_page(request, data.kept(), throttled, 429)
        try:
            result = await sign_up_tenant(application, web.clock, client_ip(request))
        except ValidationFailed as exc:
            return _form_page(request, data.kept(), _errors(exc.errors, data), 400)
        except Exception:  # the subdomain was taken between the check and the write
            errors = _errors(await sign_up_errors(application), data)
            if not errors:
                raise
            return _form_page(request, data.kept(), errors, 400)
        company = application.company.normalised()
        applicant = Applicant(
            email=company.contact_email,
            name=application.owner_name.strip(),
            language=language,
            organization_name=company.organization_name,
        )
        await _send_link(request, result.tenant, applicant, result.verification_token)
        return redirect("/signup/sent")

    @get("/sent")
    async def sent(self, request: Request[Any, Any, Any]) -> Response[str]:
        return render(request, "pages/signup/message.html", kind="sent")

    @get("/verify")
    async def verify(self, request: Request[Any, Any, Any]) -> Response[str]:
        web = web_state(request)
        shop = request.query_params.get("shop", "")
        token = request.query_params.get("token", "")
        try:
            await verify_owner_email(shop, token, web.clock)
        except ValidationFailed as exc:
            error = exc.errors[0]
            return render(
                request,
                "pages/signup/message.html",
                status=400,
                kind="link",
                error=error,
                shop=shop,
                errors={},
            )
        return render(request, "pages/signup/message.html", kind="verified")

    @post("/verify/resend")
    async def resend(
        self, request: Request[Any, Any, Any], data: Annotated[ResendForm, FORM]
    ) -> Response[Any]:
        web = web_state(request)
        email = data.email.strip()
        if not email:
            errors = {"email": FieldError("email", "tenants.field_required")}
            return render(
                request,
                "pages/signup/message.html",
                status=400,
                kind="link",
                shop=data.shop,
                errors=errors,
            )
        if await web.login_throttle.allow("signup-resend", client_ip(request), email):
            renewed = await renew_owner_verification(data.shop, email, web.clock)
            if renewed is not None:
                applicant = Applicant(
                    email=renewed.owner.email,
                    name=renewed.owner.display_name,
                    language=translator(request).language,
                    organization_name=renewed.organization_name,
                )
                await _send_link(request, renewed.tenant, applicant, renewed.token)
        return redirect("/signup/sent")
