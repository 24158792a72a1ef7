"""Browser sessions: a signed cookie holding a random id, the session itself on the server.

Every visitor of a page gets a cookie (``shomei_session``, or ``__Host-shomei_session`` when the
public URL is https): ``<id>.<signature>``, HttpOnly, SameSite=Lax, host-only, Path=/. The id is
256 random bits; the signature (HMAC-SHA256 under the deployment's secret key) lets a forged or
truncated cookie be thrown away without a database read. Anonymous visitors have no row: the id
only anchors their CSRF token (``web.csrf``). A correct password creates a ``WebSession`` row
keyed by the id's SHA-256 and gives the browser a **new** id (rotation), as does every later
step up (second factor, forced password change). Signing out deletes the row and rotates again.

Expiry is judged by the injected clock (``state.web.clock``): idle after ``IDLE_TIMEOUT``
without a request, ended ``ABSOLUTE_TIMEOUT`` after the password was given, and a pending
second-factor step lasts ``SECOND_FACTOR_TIMEOUT``.

Rows of tenant areas are read in the tenant's scope (row-level security on PostgreSQL); an
operator's row has no tenant and is read in a system scope.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from litestar import Request
from litestar.datastructures import Cookie
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from core.context import TenantRef, system_scope, tenant_scope
from core.settings import Settings
from tenants.credentials import Keyring, Sealed
from tenants.logins import AccountKind
from web.tables import WebSession

IDLE_TIMEOUT = timedelta(minutes=30)
ABSOLUTE_TIMEOUT = timedelta(hours=12)
SECOND_FACTOR_TIMEOUT = timedelta(minutes=5)
COOKIE = "shomei_session"
STATE_KEY = "shomei_browser"


class Area(StrEnum):
    CONSOLE = "console"
    PORTAL = "portal"
    OPERATOR = "operator"

    @property
    def kind(self) -> AccountKind:
        return {
            Area.CONSOLE: AccountKind.STAFF,
            Area.PORTAL: AccountKind.CUSTOMER,
            Area.OPERATOR: AccountKind.OPERATOR,
        }[self]

    @property
    def prefix(self) -> str:
        return f"/{self.value}"


class Stage(StrEnum):
    SECOND_FACTOR = "second_factor"
    CHANGE_PASSWORD = "change_password"
    SIGNED_IN = "signed_in"


def is_secure(settings: Settings) -> bool:
    return settings.public_url.startswith("https://")


def cookie_name(settings: Settings) -> str:
    """``__Host-`` makes the browser refuse the cookie unless Secure, host-only and Path=/."""
    return f"__Host-{COOKIE}" if is_secure(settings) else COOKIE


def _mac(secret: str, purpose: str, value: str) -> str:
    digest = hmac.new(secret.encode(), f"{purpose}:{value}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def sign(secret: str, sid: str) -> str:
    return f"{sid}.{_mac(secret, 'session', sid)}"


def unsign(secret: str, value: str) -> str | None:
    sid, _, signature = value.partition(".")
    if not sid or not signature:
        return None
    return sid if hmac.compare_digest(signature, _mac(secret, "session", sid)) else None


def key_hash(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


def mac(secret: str, purpose: str, value: str) -> str:
    """A keyed digest of ``value`` for ``purpose`` (CSRF tokens use it)."""
    return _mac(secret, purpose, value)


@dataclass
class Browser:
    """This request's session id: ``from_cookie`` when the browser sent a valid one;
    ``issue`` when the response must set the cookie (new visitor or rotation)."""

    sid: str | None
    from_cookie: bool
    issue: bool = False


def browser(request: Request[Any, Any, Any]) -> Browser:
    found = request.scope.setdefault("state", {}).get(STATE_KEY)
    if found is None:  # a route outside the middleware (never in the app, but be safe)
        found = Browser(None, False)
        request.scope["state"][STATE_KEY] = found
    return found


def browser_id(request: Request[Any, Any, Any]) -> str:
    """The visitor's session id, made (and set as a cookie) on first need."""
    state = browser(request)
    if state.sid is None:
        state.sid, state.issue = secrets.token_urlsafe(32), True
    return state.sid


def _rotate(request: Request[Any, Any, Any]) -> str:
    state = browser(request)
    state.sid, state.issue = secrets.token_urlsafe(32), True
    return state.sid


def session_middleware(app: ASGIApp) -> ASGIApp:
    """Read the session cookie into the request state; set it on the way out when needed."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        settings: Settings = scope["app"].state.web.settings
        name = cookie_name(settings)
        raw = Request(scope).cookies.get(name, "")
        sid = unsign(settings.secret_key, raw) if raw else None
        state = Browser(sid, sid is not None)
        scope.setdefault("state", {})[STATE_KEY] = state

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and state.issue and state.sid:
                cookie = Cookie(
                    key=name,
                    value=sign(settings.secret_key, state.sid),
                    path="/",
                    httponly=True,
                    samesite="lax",
                    secure=is_secure(settings),
                )
                header = cookie.to_header(header="").encode("latin-1")
                message["headers"] = [*message.get("headers", []), (b"set-cookie", header)]
            await send(message)

        await app(scope, receive, send_with_cookie)

    return middleware


@dataclass(frozen=True)
class SessionView:
    id: int
    area: Area
    tenant_id: int | None
    account_kind: AccountKind
    account_id: int
    email: str
    stage: Stage
    created_at: datetime
    last_seen_at: datetime
    pending_secret: str


@contextlib.contextmanager
def _scope(tenant: TenantRef | None) -> Iterator[None]:
    if tenant is None:
        with system_scope("operator browser sessions"):
            yield
    else:
        with tenant_scope(tenant):
            yield


def _where(area: Area, tenant: TenantRef | None) -> Any:
    owner = WebSession.tenant_id.is_null() if tenant is None else WebSession.tenant_id == tenant.id
    return (WebSession.area == area.value) & owner


def _view(row: dict[str, Any]) -> SessionView:
    return SessionView(
        id=row["id"],
        area=Area(row["area"]),
        tenant_id=row["tenant_id"],
        account_kind=AccountKind(row["account_kind"]),
        account_id=row["account_id"],
        email=row["email"],
        stage=Stage(row["stage"]),
        created_at=row["created_at"],
        last_seen_at=row["last_seen_at"],
        pending_secret=row["pending_secret"],
    )


def expired(session: SessionView, now: datetime) -> bool:
    if session.stage is Stage.SECOND_FACTOR:
        return now - session.created_at >= SECOND_FACTOR_TIMEOUT
    return (
        now - session.last_seen_at >= IDLE_TIMEOUT or now - session.created_at >= ABSOLUTE_TIMEOUT
    )


@dataclass(frozen=True)
class Loaded:
    """The request's session of an area, or None; ``expired`` when one just ran out."""

    session: SessionView | None
    expired: bool = False


async def load(
    request: Request[Any, Any, Any], area: Area, tenant: TenantRef | None, now: datetime
) -> Loaded:
    """The session this browser holds in ``area`` (of ``tenant``), refreshed; expired ones end."""
    state = browser(request)
    if state.sid is None:
        return Loaded(None)
    digest = key_hash(state.sid)
    with _scope(tenant):
        rows = await WebSession.select().where(
            _where(area, tenant) & (WebSession.key_hash == digest)
        )
        if not rows:
            return Loaded(None)
        session = _view(rows[0])
        if expired(session, now):
            await WebSession.delete().where(WebSession.id == session.id)
            _rotate(request)
            return Loaded(None, expired=True)
        await WebSession.update({WebSession.last_seen_at: now}).where(WebSession.id == session.id)
    return Loaded(session)


async def start(
    request: Request[Any, Any, Any],
    area: Area,
    tenant: TenantRef | None,
    account_id: int,
    email: str,
    stage: Stage,
    now: datetime,
    pending_secret: str = "",
) -> None:
    """A new session after a correct password: any session the browser had ends, new id."""
    await end(request, area, tenant)
    sid = _rotate(request)
    with _scope(tenant):
        await WebSession.insert(
            WebSession(
                key_hash=key_hash(sid),
                tenant_id=tenant.id if tenant else None,
                area=area.value,
                account_kind=area.kind.value,
                account_id=account_id,
                email=email,
                stage=stage.value,
                pending_secret=pending_secret,
                created_at=now,
                last_seen_at=now,
            )
        )


async def advance(
    request: Request[Any, Any, Any],
    session: SessionView,
    tenant: TenantRef | None,
    stage: Stage,
    now: datetime,
) -> None:
    """The next step (second factor done, password changed): new id, pending secret dropped."""
    sid = _rotate(request)
    values: dict[Any, Any] = {
        WebSession.key_hash: key_hash(sid),
        WebSession.stage: stage.value,
        WebSession.pending_secret: "",
        WebSession.last_seen_at: now,
    }
    with _scope(tenant):
        await WebSession.update(values).where(WebSession.id == session.id)


async def end(request: Request[Any, Any, Any], area: Area, tenant: TenantRef | None) -> None:
    """Sign out: the browser's session row (any area on this host) is deleted, the id rotated."""
    state = browser(request)
    if state.sid is not None:
        digest = key_hash(state.sid)
        owner = (
            WebSession.tenant_id.is_null() if tenant is None else WebSession.tenant_id == tenant.id
        )
        with _scope(tenant):
            await WebSession.delete().where((WebSession.key_hash == digest) & owner)
    _rotate(request)


async def end_all(
    area: Area, tenant: TenantRef | None, account_id: int, *, keep: int | None = None
) -> None:
    """End every session of one person (after a password reset or change), but ``keep``."""
    condition = _where(area, tenant) & (WebSession.account_id == account_id)
    if keep is not None:
        condition &= WebSession.id != keep
    with _scope(tenant):
        await WebSession.delete().where(condition)


def _second_factor_aad(tenant: TenantRef | None, email: str) -> bytes:
    return f"shomei/web/second-factor/tenant/{tenant.id if tenant else 0}/{email}".encode()


def seal_password(keyring: Keyring, tenant: TenantRef | None, email: str, password: str) -> str:
    """The password kept (sealed, minutes at most) while the TOTP code is asked for."""
    sealed = keyring.seal(password.encode(), _second_factor_aad(tenant, email))
    return f"{sealed.key_id}:{sealed.ciphertext}"


def open_password(keyring: Keyring, tenant: TenantRef | None, email: str, value: str) -> str:
    key_id, _, ciphertext = value.partition(":")
    return keyring.open(Sealed(key_id, ciphertext), _second_factor_aad(tenant, email)).decode()
