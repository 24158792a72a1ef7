"""Sign-in pages of the three areas: staff console, customer portal, operators.

One controller class serves every area; each area is a subclass naming its ``area`` (and so
its path prefix and login kind). The steps, in order, each behind its own page:

1. ``GET/POST {prefix}/login``: e-mail and password (throttled per IP and e-mail, then the
   tenants' lockout), the e-mail kept on error, never the password.
2. ``GET/POST {prefix}/login/code``: the TOTP code, for staff who turned it on.
3. ``GET/POST {prefix}/password/change``: a password someone else set must be replaced before
   anything else; later the same page lets a person change theirs.
4. ``POST {prefix}/logout``.

Password reset by e-mail (``{prefix}/password/reset`` and ``…/reset/confirm``) exists for
staff and customers; operators ask another operator (``tenants.password_changes``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, ClassVar
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect

from core.context import Actor, ActorKind, Context
from core.db import bound_engine
from core.errors import FieldError, ValidationFailed
from tenants.credentials import Keyring
from tenants.logins import find_login, login
from tenants.password_changes import change_password, request_password_reset, reset_password
from tenants.tokens import LIFETIMES, TokenPurpose
from tenants.validation import normalise_email
from web import sessions
from web.mail_outbox import PasswordResetMail, password_reset_requested
from web.next_path import safe_next
from web.pages import render, request_tenant, translator
from web.sessions import Area, SessionView, Stage
from web.state import WebState

FORM = Body(media_type=RequestEncodingType.URL_ENCODED)
NOTICES = frozenset({"signed_out", "expired", "password_reset", "password_changed"})
Errors = dict[str, FieldError]


@dataclass
class LoginForm:
    email: str = ""
    password: str = ""
    next: str = ""
    csrf_token: str = ""


@dataclass
class CodeForm:
    totp_code: str = ""
    next: str = ""
    csrf_token: str = ""


@dataclass
class ChangePasswordForm:
    current_password: str = ""
    new_password: str = ""
    new_password_confirm: str = ""
    next: str = ""
    csrf_token: str = ""


@dataclass
class ResetRequestForm:
    email: str = ""
    csrf_token: str = ""


@dataclass
class ResetConfirmForm:
    token: str = ""
    new_password: str = ""
    new_password_confirm: str = ""
    csrf_token: str = ""


@dataclass
class SignOutForm:
    csrf_token: str = ""


def web_state(request: Request[Any, Any, Any]) -> WebState:
    return request.app.state.web


def client_ip(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else "unknown"


def by_field(errors: list[FieldError], rename: dict[str, str] | None = None) -> Errors:
    """The first error of each field (renamed from the service's field to the form's)."""
    found: Errors = {}
    for error in errors:
        name = (rename or {}).get(error.field, error.field)
        found.setdefault(name, FieldError(name, error.message_id, error.params))
    return found


def required(**values: str) -> Errors:
    return {
        name: FieldError(name, "tenants.field_required")
        for name, value in values.items()
        if not value.strip()
    }


def home_path(area: Area) -> str:
    return f"{area.prefix}/"


def with_next(path: str, next_path: str = "", **query: str) -> str:
    """``path`` with ``query`` (empty values left out) and ``next`` when it is safe to follow."""
    shown = {**{k: v for k, v in query.items() if v}, "next": safe_next(next_path, "")}
    shown = {k: v for k, v in shown.items() if v}
    return path + (f"?{urlencode(shown)}" if shown else "")


def step_path(area: Area, stage: Stage, next_path: str = "") -> str:
    """Where a session at ``stage`` goes; signed in, that is a safe ``next_path`` or home."""
    if stage is Stage.SIGNED_IN:
        return safe_next(next_path, home_path(area))
    path = {
        Stage.SECOND_FACTOR: f"{area.prefix}/login/code",
        Stage.CHANGE_PASSWORD: f"{area.prefix}/password/change",
    }[stage]
    return with_next(path, next_path)


def login_path(area: Area, notice: str = "", next_path: str = "") -> str:
    """The sign-in page; ``next_path`` (kept only when safe) is where it sends the browser after."""
    return with_next(f"{area.prefix}/login", next_path, notice=notice)


def asked_next(request: Request[Any, Any, Any]) -> str:
    """The safe ``?next=`` of a step's page ("" when absent or unsafe), for its hidden input."""
    return safe_next(request.query_params.get("next"), "")


def _asked_page(request: Request[Any, Any, Any], area: Area) -> str:
    """The path and query of a GET (``""`` for other methods, a form post is not repeated, and
    for the area's home, where sign-in goes anyway)."""
    if request.method != "GET" or request.url.path in (home_path(area), area.prefix):
        return ""
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def redirect(path: str) -> Redirect:
    return Redirect(path=path, status_code=303)


async def signed_in(request: Request[Any, Any, Any], area: Area) -> SessionView | Redirect:
    """The signed-in session of ``area``, or where the browser must go first: the sign-in page,
    which brings a GET back to the page asked for (a bookmark, a link in a mail)."""
    web = web_state(request)
    loaded = await sessions.load(request, area, request_tenant(request), web.clock.now())
    session = loaded.session
    if session is None:
        notice = "expired" if loaded.expired else ""
        return redirect(login_path(area, notice, _asked_page(request, area)))
    if session.stage is not Stage.SIGNED_IN:
        return redirect(step_path(area, session.stage, _asked_page(request, area)))
    return session


class SignInController(Controller):
    """Subclassed once per area (``area`` and ``path`` set)."""

    include_in_schema = False
    area: ClassVar[Area]

    def _login_page(
        self,
        request: Request[Any, Any, Any],
        email: str = "",
        errors: Errors | None = None,
        *,
        status: int = 200,
        notice: str = "",
        next_path: str = "",
    ) -> Response[str]:
        return render(
            request,
            "pages/auth/login.html",
            status=status,
            area=self.area.value,
            email=email,
            errors=errors or {},
            notice=notice if notice in NOTICES else "",
            can_reset=self.area is not Area.OPERATOR,
            next_path=safe_next(next_path, ""),
        )

    def _page(
        self,
        request: Request[Any, Any, Any],
        template: str,
        *,
        status: int = 200,
        errors: Errors | None = None,
        **context: Any,
    ) -> Response[str]:
        return render(
            request, template, status=status, area=self.area.value, errors=errors or {}, **context
        )

    def _place(self, request: Request[Any, Any, Any]) -> str:
        tenant = request_tenant(request)
        return f"{self.area.value}:{tenant.id if tenant else '-'}"

    @get("/login")
    async def login_form(self, request: Request[Any, Any, Any]) -> Response[Any]:
        web = web_state(request)
        loaded = await sessions.load(request, self.area, request_tenant(request), web.clock.now())
        next_path = asked_next(request)
        if loaded.session is not None and loaded.session.stage is not Stage.SECOND_FACTOR:
            return redirect(step_path(self.area, loaded.session.stage, next_path))
        notice = "expired" if loaded.expired else request.query_params.get("notice", "")
        return self._login_page(request, notice=notice, next_path=next_path)

    @post("/login")
    async def login_submit(
        self, request: Request[Any, Any, Any], data: Annotated[LoginForm, FORM]
    ) -> Response[Any]:
        web = web_state(request)
        tenant = request_tenant(request)
        email = data.email.strip()
        errors = required(email=email, password=data.password)
        if errors:
            return self._login_page(request, email, errors, status=400, next_path=data.next)
        if not await web.login_throttle.allow(self._place(request), client_ip(request), email):
            throttled = {"form": FieldError("form", "web.login_throttled")}
            return self._login_page(request, email, throttled, status=429, next_path=data.next)
        keyring = Keyring.from_settings(web.settings)
        try:
            result = await login(
                self.area.kind,
                email,
                data.password,
                web.clock,
                keyring=keyring,
                ip_address=client_ip(request),
            )
        except ValidationFailed as exc:
            errors = by_field(exc.errors)
            return self._login_page(request, email, errors, status=400, next_path=data.next)
        if result.second_factor_required:
            stage = Stage.SECOND_FACTOR
            sealed = sessions.seal_password(keyring, tenant, normalise_email(email), data.password)
        else:
            stage = Stage.CHANGE_PASSWORD if result.must_change_password else Stage.SIGNED_IN
            sealed = ""
        await sessions.start(
            request,
            self.area,
            tenant,
            result.account_id,
            normalise_email(email),
            stage,
            web.clock.now(),
            sealed,
        )
        return redirect(step_path(self.area, stage, data.next))

    async def _pending(
        self, request: Request[Any, Any, Any], stages: tuple[Stage, ...]
    ) -> SessionView | Redirect:
        web = web_state(request)
        loaded = await sessions.load(request, self.area, request_tenant(request), web.clock.now())
        if loaded.session is None:
            return redirect(login_path(self.area, "expired" if loaded.expired else ""))
        if loaded.session.stage not in stages:
            return redirect(step_path(self.area, loaded.session.stage))
        return loaded.session

    @get("/login/code")
    async def code_form(self, request: Request[Any, Any, Any]) -> Response[Any]:
        found = await self._pending(request, (Stage.SECOND_FACTOR,))
        if not isinstance(found, SessionView):
            return found
        return self._page(request, "pages/auth/code.html", next_path=asked_next(request))

    @post("/login/code")
    async def code_submit(
        self, request: Request[Any, Any, Any], data: Annotated[CodeForm, FORM]
    ) -> Response[Any]:
        found = await self._pending(request, (Stage.SECOND_FACTOR,))
        if not isinstance(found, SessionView):
            return found
        web = web_state(request)
        tenant = request_tenant(request)
        code = data.totp_code.strip()
        next_path = safe_next(data.next, "")
        if not code:
            return self._page(
                request, "pages/auth/code.html", status=400, errors=required(totp_code=code),
                next_path=next_path,
            )  # fmt: skip
        if not await web.login_throttle.allow(
            self._place(request), client_ip(request), found.email
        ):
            throttled = {"form": FieldError("form", "web.login_throttled")}
            return self._page(
                request, "pages/auth/code.html", status=429, errors=throttled, next_path=next_path
            )
        keyring = Keyring.from_settings(web.settings)
        password = sessions.open_password(keyring, tenant, found.email, found.pending_secret)
        try:
            result = await login(
                self.area.kind,
                found.email,
                password,
                web.clock,
                totp_code=code,
                keyring=keyring,
                ip_address=client_ip(request),
            )
        except ValidationFailed as exc:
            if any(e.message_id == "tenants.totp_invalid" for e in exc.errors):
                errors = {"totp_code": FieldError("totp_code", "tenants.totp_invalid")}
                return self._page(
                    request, "pages/auth/code.html", status=400, errors=errors, next_path=next_path
                )
            await sessions.end(request, self.area, tenant)  # locked, or the password changed
            errors = by_field(exc.errors)
            return self._login_page(request, found.email, errors, status=400, next_path=next_path)
        stage = Stage.CHANGE_PASSWORD if result.must_change_password else Stage.SIGNED_IN
        await sessions.advance(request, found, tenant, stage, web.clock.now())
        return redirect(step_path(self.area, stage, next_path))

    @get("/password/change")
    async def change_form(self, request: Request[Any, Any, Any]) -> Response[Any]:
        found = await self._pending(request, (Stage.CHANGE_PASSWORD, Stage.SIGNED_IN))
        if not isinstance(found, SessionView):
            return found
        forced = found.stage is Stage.CHANGE_PASSWORD
        return self._page(
            request, "pages/auth/change_password.html", forced=forced,
            next_path=asked_next(request) if forced else "",
        )  # fmt: skip

    @post("/password/change")
    async def change_submit(
        self, request: Request[Any, Any, Any], data: Annotated[ChangePasswordForm, FORM]
    ) -> Response[Any]:
        found = await self._pending(request, (Stage.CHANGE_PASSWORD, Stage.SIGNED_IN))
        if not isinstance(found, SessionView):
            return found
        web = web_state(request)
        tenant = request_tenant(request)
        forced = found.stage is Stage.CHANGE_PASSWORD
        next_path = safe_next(data.next, "") if forced else ""
        errors = required(
            current_password=data.current_password,
            new_password=data.new_password,
            new_password_confirm=data.new_password_confirm,
        )
        if not errors and data.new_password != data.new_password_confirm:
            errors["new_password_confirm"] = FieldError(
                "new_password_confirm", "web.password_mismatch"
            )
        if not errors:
            try:
                await change_password(
                    self.area.kind,
                    found.account_id,
                    data.current_password,
                    data.new_password,
                    web.clock,
                )
            except ValidationFailed as exc:
                errors = by_field(exc.errors, {"password": "new_password"})
        if errors:
            return self._page(
                request, "pages/auth/change_password.html", status=400, errors=errors,
                forced=forced, next_path=next_path,
            )  # fmt: skip
        await sessions.end_all(self.area, tenant, found.account_id, keep=found.id)
        await sessions.advance(request, found, tenant, Stage.SIGNED_IN, web.clock.now())
        if next_path:  # the page the sign-in was asked for, once the forced change is done
            return redirect(next_path)
        return redirect(home_path(self.area) + "?" + urlencode({"notice": "password_changed"}))

    @post("/logout")
    async def logout(
        self, request: Request[Any, Any, Any], data: Annotated[SignOutForm, FORM]
    ) -> Redirect:
        await sessions.end(request, self.area, request_tenant(request))
        return redirect(login_path(self.area, "signed_out"))


class PasswordResetController(Controller):
    """Reset by e-mail for staff and customers; subclassed per area like the sign-in pages."""

    include_in_schema = False
    area: ClassVar[Area]

    def _page(
        self,
        request: Request[Any, Any, Any],
        template: str,
        *,
        status: int = 200,
        errors: Errors | None = None,
        **context: Any,
    ) -> Response[str]:
        return render(
            request, template, status=status, area=self.area.value, errors=errors or {}, **context
        )

    @get("/password/reset")
    async def reset_form(self, request: Request[Any, Any, Any]) -> Response[str]:
        return self._page(request, "pages/auth/reset_request.html", email="", sent=False)

    @post("/password/reset")
    async def reset_submit(
        self, request: Request[Any, Any, Any], data: Annotated[ResetRequestForm, FORM]
    ) -> Response[str]:
        web = web_state(request)
        tenant = request_tenant(request)
        email = data.email.strip()
        errors = required(email=email)
        if errors:
            return self._page(
                request, "pages/auth/reset_request.html", status=400, errors=errors, email=email
            )
        place = f"reset:{self.area.value}:{tenant.id if tenant else '-'}"
        if not await web.login_throttle.allow(place, client_ip(request), email):
            throttled = {"form": FieldError("form", "web.login_throttled")}
            return self._page(
                request, "pages/auth/reset_request.html", status=429, errors=throttled, email=email
            )
        if tenant is not None:
            async with bound_engine().transaction():
                token = await request_password_reset(self.area.kind, email, web.clock)
                row = await find_login(self.area.kind, email) if token else None
                if token and row is not None:
                    query = urlencode({"token": token})
                    url = f"{request.url.scheme}://{request.url.netloc}"
                    url += f"{self.area.prefix}/password/reset/confirm?{query}"
                    ctx = Context(
                        tenant=tenant,
                        actor=Actor(
                            ActorKind.SYSTEM, "password-reset", ip_address=client_ip(request)
                        ),
                        clock=web.clock,
                    )
                    mail = PasswordResetMail(
                        to=row.email,
                        display_name=row.display_name,
                        language=translator(request).language,
                        account_kind=self.area.kind.value,
                        account_id=row.id,
                        token=token,
                        reset_url=url,
                        expires_at=web.clock.now() + LIFETIMES[TokenPurpose.RESET_PASSWORD],
                    )
                    await password_reset_requested(ctx, Keyring.from_settings(web.settings), mail)
        # the same answer whether or not the address has a login
        return self._page(request, "pages/auth/reset_request.html", email=email, sent=True)

    @get("/password/reset/confirm")
    async def confirm_form(self, request: Request[Any, Any, Any]) -> Response[str]:
        token = request.query_params.get("token", "")
        errors = {} if token else {"token": FieldError("token", "tenants.token_invalid")}
        return self._page(request, "pages/auth/reset_confirm.html", token=token, errors=errors)

    @post("/password/reset/confirm")
    async def confirm_submit(
        self, request: Request[Any, Any, Any], data: Annotated[ResetConfirmForm, FORM]
    ) -> Response[Any]:
        web = web_state(request)
        tenant = request_tenant(request)
        errors = required(
            new_password=data.new_password, new_password_confirm=data.new_password_confirm
        )
        if not data.token:
            errors["token"] = FieldError("token", "tenants.token_invalid")
        if not errors and data.new_password != data.new_password_confirm:
            errors["new_password_confirm"] = FieldError(
                "new_password_confirm", "web.password_mismatch"
            )
        if not errors:
            try:
                account_id = await reset_password(
                    self.area.kind, data.token, data.new_password, web.clock
                )
            except ValidationFailed as exc:
                errors = by_field(exc.errors, {"password": "new_password"})
            else:
                await sessions.end_all(self.area, tenant, account_id)
                return redirect(login_path(self.area, "password_reset"))
        return self._page(
            request, "pages/auth/reset_confirm.html", status=400, errors=errors, token=data.token
        )


class ConsoleSignIn(SignInController):
    path = "/console"
    area = Area.CONSOLE


class PortalSignIn(SignInController):
    path = "/portal"
    area = Area.PORTAL


class OperatorSignIn(SignInController):
    path = "/operator"
    area = Area.OPERATOR


class ConsolePasswordReset(PasswordResetController):
    path = "/console"
    area = Area.CONSOLE


class PortalPasswordReset(PasswordResetController):
    path = "/portal"
    area = Area.PORTAL
